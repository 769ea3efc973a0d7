"""The ways in: the FastAPI application, the server runner and the `citysoc` CLI."""
