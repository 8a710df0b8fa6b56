"""The web workspace: Starlette routes, Jinja2 pages rendered on the server, and nothing loaded
from another site. Every page asks the same services as the command line; the handlers only
read the request, call a service and render. Pages work without JavaScript."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from outreach.errors import InvalidInput, NotFound, OutreachError
from outreach.services.accounts.users import Role
from outreach.web import security
from outreach.web.security import LoginLimit, SESSION_HOURS

HERE = Path(__file__).parent
PAGES = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]),
                    trim_blocks=True, lstrip_blocks=True)
PAGES.filters["when"] = lambda value: value.strftime("%d %b %Y %H:%M") if isinstance(value, datetime) else (value or "")
PAGES.filters["day"] = lambda value: value.strftime("%d %b %Y") if value else ""


def _field(record, name: str) -> str:
    """A record's field as a form shows it: empty for none, an enum by its value."""
    value = getattr(record, name, None) if record is not None else None
    return "" if value is None else str(getattr(value, "value", value))


PAGES.globals["field"] = _field


class Workspace:
    """What the handlers share: the composition root (engine, mailboxes, clock) and the login limit."""

    def __init__(self, app):
        self.app = app  # worker.app.App: the one bootstrap for CLI, worker and web
        self.limit = LoginLimit()

    def now(self) -> datetime:
        return self.app.now()

    def uow(self):
        return self.app.uow()


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    session = request.session
    html = PAGES.get_template(template).render(
        request=request, user=session.get("user"), role=security.role_of(session),
        csrf=security.csrf_token(session), path=request.url.path, **context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


HEADERS = {  # nothing from another site; no framing; no guessing of types
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
}


def page(change: bool = False, role: Role = Role.VIEWER):
    """A handler behind the login. A change (POST) needs the form's CSRF token and a role that
    may change things; a viewer is refused every change."""
    def wrap(handler):
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            session = request.session
            current = security.role_of(session)
            if current is None:
                if change:
                    return PlainTextResponse("log in first", status_code=401, headers=HEADERS)
                return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
            form = None
            if change:
                form = await request.form()
                if not security.csrf_ok(session, form.get("csrf")):
                    return PlainTextResponse("the form is out of date or did not come from this workspace: "
                                             "reload the page and try again", status_code=403, headers=HEADERS)
                if not current.may_change or (role is Role.ADMIN and current is not Role.ADMIN):
                    return PlainTextResponse(f"your role ({current.value}) may not change this", status_code=403,
                                             headers=HEADERS)
            try:
                return await handler(request, form) if change else await handler(request)
            except NotFound as error:
                return render(request, "error.html", 404, message=str(error))
            except InvalidInput as error:
                return render(request, "error.html", 400, message="; ".join(str(p) for p in error.problems))
            except OutreachError as error:
                return render(request, "error.html", 400, message=str(error))
            except OSError as error:  # a mail or calendar server that cannot be reached
                return render(request, "error.html", 502, message=f"a server could not be reached: {error}; "
                              "what was saved before stays saved, try the action again later")
        return endpoint
    return wrap


def back(to: str, said: str | None = None) -> RedirectResponse:
    return RedirectResponse(to + (f"?said={quote(said)}" if said else ""), status_code=303)


def who(request: Request) -> str:
    return request.session.get("user", "?")


# --- logging in ----------------------------------------------------------------------------

async def login_page(request: Request) -> Response:
    return render(request, "login.html", next=request.query_params.get("next", "/"))


async def login(request: Request) -> Response:
    from outreach.services.accounts import users

    workspace: Workspace = request.app.state.workspace
    form = await request.form()
    email, password = str(form.get("email", "")).strip().lower(), str(form.get("password", ""))
    target = str(form.get("next") or "/")
    target = target if target.startswith("/") and not target.startswith("//") else "/"
    if not security.csrf_ok(request.session, form.get("csrf")):
        return render(request, "login.html", 403, next=target, problem="The form is out of date: try again.")
    client = f"ip:{request.client.host if request.client else '?'}"
    if workspace.limit.blocked(client, f"user:{email}"):
        return render(request, "login.html", 429, next=target,
                      problem="Too many failed attempts: wait a quarter of an hour, then try again.")

    def check():
        with workspace.uow() as uow:
            user = users.authenticate(uow.session, email, password, workspace.now())
            uow.commit()
            return (user.email, user.role) if user else None

    found = await run_in_threadpool(check)
    if found is None:
        workspace.limit.failed(client, f"user:{email}")
        return render(request, "login.html", 401, next=target, problem="Wrong address or password.")
    workspace.limit.cleared(f"user:{email}")
    request.session.clear()  # a new session for the new login
    request.session.update(user=found[0], role=found[1])
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    if security.csrf_ok(request.session, form.get("csrf")):
        request.session.clear()
    return RedirectResponse("/login", status_code=303)


def create_app(app, secure_cookies: bool = False, secret: str | None = None) -> Starlette:
    """The workspace on a composition root (worker.app.App)."""
    from outreach.web import pages

    workspace = Workspace(app)
    folder = Path(app.data_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secret or security.secret_key(folder)
    web = Starlette(
        routes=[
            Route("/login", login_page, methods=["GET"]), Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["POST"]),
            *pages.routes(),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ],
        middleware=[Middleware(SessionMiddleware, secret_key=key, session_cookie="outreach_session",
                               max_age=SESSION_HOURS * 3600, same_site="lax", https_only=secure_cookies)],
    )
    web.state.workspace = workspace
    return web
