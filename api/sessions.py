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
    """The page language: Chinese unless the visitor chose English."""
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"
