"""What every handler of the workspace shares: the pages' templates, the login and role check of
`page`, CSRF, redirects within the site, who is asking and from where, and the request limits."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from outreach.domain.vocabulary import status_text
from outreach.errors import InvalidInput, NotFound, OutreachError
from outreach.services.accounts import audit as log_book
from outreach.services.accounts import web_sessions
from outreach.services.accounts.users import Role
from outreach.services.accounts.web_sessions import Lifetime, Visitor
from outreach.services.workspace.times import UTC, local, zone_for, zone_words
from outreach.signing_key import SigningKey
from outreach.web import security
from outreach.web.middleware import BodyTooLarge, Browser
from outreach.web.security import LoginThrottle

HERE = Path(__file__).parent
PAGES = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@pass_context
def _when(context: Context, value: object, form: str = "%d %b %Y %H:%M") -> str:
    """A moment (a datetime or its ISO text) in the zone the viewer reads times in."""
    return local(value, context.get("zone") or UTC, form) if value else ""


@pass_context
def _day(context: Context, value: object) -> str:
    """A day; a moment becomes the viewer's day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d %b %Y")
    return _when(context, value, "%d %b %Y")


PAGES.filters["when"] = _when
PAGES.filters["day"] = _day


def _field(record, name: str) -> str:
    """A record's field as a form shows it: empty for none, an enum by its value."""
    value = getattr(record, name, None) if record is not None else None
    return "" if value is None else str(getattr(value, "value", value))


PAGES.globals["field"] = _field
PAGES.globals["status_text"] = status_text  # a partner's status apart from the phase: "Later until DATE"


class Workspace:
    """What the handlers share: the composition root (engine, mailboxes, clock), the signing
    key, the session lifetime and the login throttle."""

    def __init__(self, app, key: SigningKey, lifetime: Lifetime):
        self.app = app  # worker.app.App: the one bootstrap for CLI, worker and web
        self.key, self.lifetime = key, lifetime
        self.limit = LoginThrottle()

    def now(self) -> datetime:
        return self.app.now()

    def uow(self):
        return self.app.uow()

    def visitor(self, token: str) -> Visitor | None:
        """Who holds this session token now (the account's role as the database has it)."""
        with self.uow() as uow:
            found = web_sessions.current(uow.session, token, self.now(), self.lifetime)
            if found is not None:
                found = replace(found, reads_in=found.timezone or zone_for(uow.session))
            uow.commit()
        return found


def browser_of(request: Request) -> Browser | None:
    return getattr(request.state, "browser", None)


def visitor_of(request: Request) -> Visitor | None:
    browser = browser_of(request)
    return browser.visitor if browser else None


def role_of(request: Request) -> Role | None:
    visitor = visitor_of(request)
    try:
        return Role(visitor.role) if visitor else None
    except ValueError:  # a role this version does not know: no rights at all
        return None


def csrf_of(request: Request) -> str:
    browser = browser_of(request)
    return security.csrf_token(request.app.state.workspace.key, browser.token) if browser else ""


def csrf_ok(request: Request, form) -> bool:
    browser = browser_of(request)
    return browser is not None and security.csrf_ok(request.app.state.workspace.key, browser.token, form.get("csrf"))


def render(request: Request, template: str, status: int = 200, headers: dict | None = None, **context) -> HTMLResponse:
    visitor = visitor_of(request)
    html = PAGES.get_template(template).render(
        request=request,
        user=visitor.email if visitor else None,
        role=role_of(request),
        csrf=csrf_of(request),
        path=request.url.path,
        zone=_zone(visitor),
        zone_words=_zone_words(_zone(visitor)),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def _zone(visitor: Visitor | None) -> str:
    return visitor.reads_in if visitor and known(visitor.reads_in) else UTC


def _zone_words(zone: str) -> str:
    try:
        return zone_words(zone)
    except (LookupError, ValueError):  # a zone Babel cannot name: its id
        return zone


def known(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# Form parsing limits (Starlette's multipart parser): a field's size, how many fields and files.
FIELD_BYTES, FIELDS = 256 * 1024, 200


def page(change: bool = False, role: Role = Role.VIEWER, files: int = 0, own: bool = False):
    """A handler behind the login. An admin page refuses everyone else. A change (POST)
    needs the form's CSRF token and a role that may change things; a viewer is refused
    every change but those to their `own` account (password, time zone). `files`: how many
    uploaded files the form may carry."""

    def wrap(handler):
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            current = role_of(request)
            if current is None:
                if change:
                    return PlainTextResponse("log in first", status_code=401)
                return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
            if role is Role.ADMIN and current is not Role.ADMIN:
                return render(
                    request,
                    "error.html",
                    403,
                    message=f"this page is for administrators; your role ({current.value}) does not show it",
                )
            form = None
            if change:
                form = await request.form(max_files=files, max_fields=FIELDS, max_part_size=FIELD_BYTES)
                if not csrf_ok(request, form):
                    return PlainTextResponse(
                        "the form is out of date or did not come from this workspace: reload the page and try again",
                        status_code=403,
                    )
                if not (own or current.may_change):
                    return PlainTextResponse(f"your role ({current.value}) may not change this", status_code=403)
            try:
                return await handler(request, form) if change else await handler(request)
            except NotFound as error:
                return render(request, "error.html", 404, message=str(error))
            except InvalidInput as error:
                return render(request, "error.html", 400, message="; ".join(str(p) for p in error.problems))
            except OutreachError as error:
                return render(request, "error.html", 400, message=str(error))
            except OSError as error:  # a mail or calendar server that cannot be reached
                return render(
                    request,
                    "error.html",
                    502,
                    message=f"a server could not be reached: {error}; "
                    "what was saved before stays saved, try the action again later",
                )

        return endpoint

    return wrap


def back(to: str, said: str | None = None) -> RedirectResponse:
    """Back to a page of this site (any other address given by a form goes to Today)."""
    target = security.local_path(to)
    if said:
        target += ("&" if "?" in target else "?") + f"said={quote(said)}"
    return RedirectResponse(target, status_code=303)


def who(request: Request) -> str:
    visitor = visitor_of(request)
    return visitor.email if visitor else "?"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def audit_request(request: Request, action: str, subject: str = "", detail: str = "", actor: str | None = None) -> None:
    """An audit entry for this request, in a transaction of its own."""
    workspace: Workspace = request.app.state.workspace
    log_book.record_now(
        workspace.app.engine,
        actor=actor or who(request),
        action=action,
        subject=subject,
        source=client_address(request),
        detail=detail,
        now=workspace.now(),
    )


# --- what goes wrong before a handler runs ---------------------------------------------------


def too_large(scope, limit: int) -> Response:
    """The 413 page: how large a file may be, and what to do. The connection is closed after
    it (else the server would go on reading, and dropping, the rest of the body)."""
    request = Request(scope)
    return render(
        request,
        "error.html",
        413,
        headers={"Connection": "close"},
        message=f"That is more than this form takes ({_size(limit)}; a campaign file may be "
        f"{_size(CAMPAIGN_FILE)}). Nothing was read or saved: send a smaller file.",
    )


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.0f} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"


async def http_error(request: Request, error: HTTPException) -> Response:
    if isinstance(error, BodyTooLarge):
        return too_large(request.scope, error.limit)
    message = {404: "There is no such page.", 405: "That page does not take this kind of request."}.get(
        error.status_code, str(error.detail)
    )
    return render(request, "error.html", error.status_code, message=message)


# Request bodies: a form of text, or one campaign file with its form (the multipart framing
# adds a few hundred bytes; the file itself is checked against CAMPAIGN_FILE too).
CAMPAIGN_FILE = 1024 * 1024
FORM_BYTES = 512 * 1024
BODY_LIMITS = {"/campaigns/queue": CAMPAIGN_FILE + 16 * 1024}
