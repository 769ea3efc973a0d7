"""Same-origin checks for requests a browser could be tricked into sending from another
site. The login POSTs have no session to carry a CSRF token yet, so they check where the
request comes from: Origin, or Referer when a browser sent no Origin."""

from urllib.parse import urlsplit

from fastapi import Request

from core.errors import ForbiddenError

__all__ = ["require_same_origin"]

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _host(scheme: str, netloc: str) -> str:
    """``host[:port]`` in lower case, without the scheme's default port."""
    netloc = netloc.lower()
    default = _DEFAULT_PORTS.get(scheme)
    return netloc.removesuffix(f":{default}") if default else netloc


def require_same_origin(request: Request) -> None:
    """Refuse a request whose Origin (or, without one, Referer) names another site than
    the Host it was sent to. Programs that send neither are not browsers, so not CSRF.

    Behind a reverse proxy the proxy must pass the original Host header through.
    Raises ForbiddenError.
    """
    origin = request.headers.get("origin")
    source = origin if origin is not None else request.headers.get("referer")
    if source is None:
        return
    parts = urlsplit(source.strip())
    host = request.headers.get("host", "")
    if (
        parts.scheme
        and parts.netloc
        and _host(parts.scheme, parts.netloc) == _host(parts.scheme, host)
    ):
        return
    header = "Origin" if origin is not None else "Referer"
    raise ForbiddenError(
        f"a login sent from another site ({header}: {source[:200]!r}) is refused; "
        "open the login page of this server and log in there",
        location=f"header.{header.lower()}",
    )
