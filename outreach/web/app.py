"""The web workspace: Starlette routes, Jinja2 pages rendered on the server, and nothing loaded
from another site. Every page asks the same services as the command line; the handlers only
read the request, call a service and render. Pages work without JavaScript."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from outreach.services.accounts.web_sessions import Lifetime
from outreach.signing_key import SigningKey
from outreach.web import accounts, booking, pages
from outreach.web.handlers import BODY_LIMITS, FORM_BYTES, HERE, Workspace, http_error, too_large
from outreach.web.middleware import BodyLimit, SecurityHeaders, ServerSessions


class WorkspaceApp(Starlette):
    """Starlette with the safety headers outside everything else, errors included."""

    def build_middleware_stack(self):
        return SecurityHeaders(super().build_middleware_stack())


def create_app(
    app, secure_cookies: bool = False, secret: str | None = None, lifetime: Lifetime | None = None
) -> Starlette:
    """The workspace on a composition root (worker.app.App)."""
    folder = Path(app.data_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    lifetime = lifetime or Lifetime.of()
    workspace = Workspace(app, SigningKey(folder, secret), lifetime)
    web = WorkspaceApp(
        routes=[
            *accounts.routes(),
            *pages.routes(),
            *booking.routes(),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ],
        middleware=[
            Middleware(BodyLimit, default=FORM_BYTES, limits=BODY_LIMITS, refuse=too_large),
            Middleware(
                ServerSessions,
                lookup=workspace.visitor,
                secure=secure_cookies,
                max_age=int(lifetime.longest.total_seconds()),
            ),
        ],
        exception_handlers={HTTPException: http_error},  # type: ignore[dict-item]  # starlette types every handler for Exception
    )
    web.state.workspace = workspace
    return web
