"""The browser's session cookie, set by a server and not by a script (issue 19, item 2).

Behind the proxy (scripts/serve.sh routes /auth/ here) the dashboard's log-in form checks the password
as before, then sends the browser to `/auth/adopt?code=…&next=…`: the one-time code (60 s, once) is
exchanged for a fresh session whose token only ever travels in this Set-Cookie — HttpOnly (no script
reads it), SameSite=Strict, Secure when the proxy serves HTTPS — and the browser goes back to the page
it came from, which resumes from the cookie. `/auth/logout` ends the session in the database and
clears the cookie. Both answer with redirects, never with JSON: a person's browser follows them.
"""
from __future__ import annotations

import re
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from geo import auth

COOKIE = "jy_session"        # the name the dashboard resumes from (dashboard/ui/session.py)
router = APIRouter(prefix="/auth", include_in_schema=False)
_PATH = re.compile(r"^/[A-Za-z0-9_\-/]*(\?[A-Za-z0-9_\-=&%.,]*)?$")


def safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme): anything else goes to the start page."""
    return target if target and len(target) <= 500 and _PATH.match(target) and not target.startswith("//") else "/"


def _cookie(request: Request, response: RedirectResponse, token: str | None) -> None:
    secure = request.url.scheme == "https"       # from HAProxy's X-Forwarded-Proto (uvicorn --proxy-headers)
    if token:
        response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict", secure=secure)
    else:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure)


@router.get("/adopt")
def adopt(request: Request, code: str = "", next: str = "/") -> RedirectResponse:  # noqa: A002 - the URL's name
    token = secrets.token_urlsafe(32)
    ok = auth.adopt(request.app.state.pool, code, token)
    response = RedirectResponse(safe_next(next) if ok else "/", status_code=303)
    if ok:
        _cookie(request, response, token)
    return response


@router.get("/logout")
def logout(request: Request) -> RedirectResponse:
    token = request.cookies.get(COOKIE)
    if token:
        auth.end_token(request.app.state.pool, token, "logout")
    response = RedirectResponse("/", status_code=303)
    _cookie(request, response, None)
    return response
