"""The browser's cookies, in one place: the session (shared by the JSON API and the pages),
the login form's pre-session CSRF token, and the language choice."""

from fastapi import Request, Response

from core import accounts
from core.i18n import Lang

__all__ = [
    "LANG_COOKIE",
    "LOGIN_CSRF_COOKIE",
    "clear_session_cookie",
    "lang_of",
    "preferred",
    "session_id_of",
    "set_session_cookie",
]

LANG_COOKIE = "citysoc_lang"
LOGIN_CSRF_COOKIE = "citysoc_login_csrf"  # the login form's pre-session double-submit token


def session_id_of(request: Request) -> str | None:
    """The session id the browser sent, if any (not yet checked against the store)."""
    return request.cookies.get(accounts.SESSION_COOKIE) or None


def set_session_cookie(response: Response, session_id: str, *, secure: bool) -> None:
    """The one way a session cookie is set: HttpOnly, SameSite=Strict, as long as the session."""
    response.set_cookie(
        accounts.SESSION_COOKIE,
        session_id,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(accounts.SESSION_COOKIE, path="/")


def lang_of(request: Request) -> Lang:
    """The page language: the visitor's choice (the cookie /lang/{lang} sets) when made;
    before it, the browser's ``Accept-Language``; Chinese when neither says."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in ("zh", "en"):
        return "en" if chosen == "en" else "zh"
    return preferred(request.headers.get("accept-language", ""))


def preferred(accept_language: str) -> Lang:
    """The first of our languages in an ``Accept-Language`` header by its weight (RFC 9110
    §12.5.4; the header's order breaks ties), or Chinese when it names neither."""
    ranked: list[tuple[float, int, Lang]] = []
    for order, item in enumerate(accept_language.split(",")[:32]):  # a header is short
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("zh", "en"):
            continue
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0  # a malformed weight counts as "not acceptable"
        if weight > 0:
            ranked.append((-weight, order, "en" if primary == "en" else "zh"))
    return min(ranked)[2] if ranked else "zh"
