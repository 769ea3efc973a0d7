"""`python -m api.cli`: the same as the `citysoc` console script."""

from api.cli import main

main()
