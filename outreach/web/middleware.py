"""What every request of the workspace passes through, as plain ASGI middleware:

SecurityHeaders  the same safety headers on every response (pages, downloads, SVG,
                 static files, redirects, errors)
BodyLimit        a request body is counted while it is read: over its route's limit the
                 answer is 413 and the rest is never read
ServerSessions   the session cookie's token looked up on the server: who is asking
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from outreach.services.accounts.web_sessions import Visitor, new_token

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
# Anything else (a download, the SVG, CSS, plain-text errors): nothing runs, nothing loads,
# nothing frames it; an SVG keeps its own inline styles.
OTHER_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'; sandbox"
)
ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


class SecurityHeaders:
    """CSP with frame-ancestors, nosniff and the rest on every response. Pages get the page
    policy; everything else a policy under which nothing runs. Nothing but static files may
    be cached."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                html = headers.get("content-type", "").startswith("text/html")
                headers["content-security-policy"] = PAGE_POLICY if html else OTHER_POLICY
                for name, value in ALWAYS.items():
                    headers[name] = value
                if not static:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"{limit}")
        self.limit = limit


class BodyLimit:
    """At most `limits[path]` (else `default`) bytes of request body. A declared length over
    the limit is refused before a byte is read; a body without one is counted as it arrives
    and refused the moment it passes the limit."""

    def __init__(self, app: ASGIApp, default: int, limits: dict[str, int], refuse):
        self.app, self.default, self.limits, self.refuse = app, default, limits, refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits.get(scope["path"], self.default)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            return await self.refuse(scope, limit)(scope, receive, send)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


COOKIE = "outreach_session"
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


@dataclass
class Browser:
    """One browser as a request sees it: the token of its cookie and, when that token is a
    session on the server, who is logged in."""

    token: str
    visitor: Visitor | None
    issue: bool = False  # the response sets the cookie (a new browser, a login, a logout)

    def renew(self, token: str | None = None, visitor: Visitor | None = None) -> None:
        """A new token (at login and logout: a session is never carried across either)."""
        self.token, self.visitor, self.issue = token or new_token(), visitor, True


class ServerSessions:
    """Puts a `Browser` on `request.state.browser`. `lookup(token)` (run in a worker thread)
    returns the visitor of a live session; static files ask nothing."""

    def __init__(self, app: ASGIApp, lookup, secure: bool, max_age: int):
        self.app, self.lookup, self.secure, self.max_age = app, lookup, secure, max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            return await self.app(scope, receive, send)
        token = HTTPConnection(scope).cookies.get(COOKIE, "")
        known = bool(TOKEN.fullmatch(token))
        visitor = await run_in_threadpool(self.lookup, token) if known else None
        browser = Browser(token if known else new_token(), visitor, issue=not known)
        scope.setdefault("state", {})["browser"] = browser

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and browser.issue:
                MutableHeaders(scope=message).append("set-cookie", self._cookie(browser.token))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, token: str) -> str:
        return f"{COOKIE}={token}; Path=/; Max-Age={self.max_age}; HttpOnly; SameSite=Lax" + (
            "; Secure" if self.secure else ""
        )
