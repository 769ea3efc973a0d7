"""Where a redirect may send a browser back to: this site's own pages, nothing else."""

from urllib.parse import urlsplit

__all__ = ["same_origin_path"]

# A browser drops tabs and newlines from a URL and reads a backslash as a slash, so
# "/\tevil.example" or "/\\evil.example" would become "//evil.example", another site.
_UNSAFE = frozenset(chr(c) for c in range(0x21)) | {"\x7f", "\\"}


def same_origin_path(referer: str | None, *, scheme: str, netloc: str) -> str:
    """The path (and query) of ``referer`` if it is a page of this origin, else ``/``.

    The answer always starts with exactly one ``/``: never ``//host`` or ``/\\host`` (which
    browsers read as another site) and never a scheme.
    """
    if not referer or any(c in _UNSAFE for c in referer) or not referer.isascii():
        return "/"
    try:
        parts = urlsplit(referer)
    except ValueError:  # e.g. an unclosed IPv6 literal
        return "/"
    # The whole authority must match (so "user@host" or "host.evil.example" do not).
    if parts.scheme.lower() != scheme.lower() or parts.netloc.lower() != netloc.lower():
        return "/"
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return "/"
    return path + (f"?{parts.query}" if parts.query else "")
