"""Statutory forms and exports, rendered from Jinja2 templates."""
