"""Logging in and out, the person's own account, and the audit log page. The login is the
workspace's door: a throttle per client and account, a new session (and token) at every
login and logout, each attempt in the audit log with the client's address."""

from __future__ import annotations

import logging
import math

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from outreach.errors import InvalidInput
from outreach.services.accounts import audit, users, web_sessions
from outreach.services.accounts.users import Role
from outreach.services.accounts.web_sessions import Visitor
from outreach.services.workspace.times import zone_words
from outreach.web import security
from outreach.web.handlers import (
    Workspace,
    audit_request,
    back,
    browser_of,
    client_address,
    csrf_ok,
    page,
    render,
    visitor_of,
    who,
)

log = logging.getLogger("outreach.web")


# --- logging in ----------------------------------------------------------------------------


async def login_page(request: Request) -> Response:
    return render(request, "login.html", next=security.local_path(request.query_params.get("next")))


def _throttled(request: Request, target: str, wait: float) -> Response:
    seconds = max(1, math.ceil(wait))
    return render(
        request,
        "login.html",
        429,
        headers={"Retry-After": str(seconds)},
        next=target,
        problem=f"Too many failed attempts from here: wait {seconds} seconds, then try again.",
    )


async def login(request: Request) -> Response:
    workspace: Workspace = request.app.state.workspace
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    email, password = str(form.get("email", "")).strip().lower()[:320], str(form.get("password", ""))
    target = security.local_path(form.get("next"))
    if not csrf_ok(request, form):
        return render(request, "login.html", 403, next=target, problem="The form is out of date: try again.")
    host = client_address(request)
    client = security.client_key(host)
    wait = workspace.limit.wait(client, email)
    if wait > 0:
        log.warning("login for %r from %s refused: %.0f s to wait after failed attempts", email, host, wait)
        return _throttled(request, target, wait)
    workspace.limit.attempt(client, email)
    started = await run_in_threadpool(_log_in, workspace, email, password, host)
    if started is None:
        log.warning("failed login for %r from %s", email, host)
        await run_in_threadpool(audit_request, request, "login.failed", email, "wrong address or password", "unknown")
        return render(request, "login.html", 401, next=target, problem="Wrong address or password.")
    workspace.limit.succeeded(client, email)
    browser = browser_of(request)
    assert browser is not None  # the ServerSessions middleware gives every request one
    browser.renew(*started)  # a new token: a session is never carried across a login
    return RedirectResponse(target, status_code=303)


def _log_in(workspace: Workspace, email: str, password: str, host: str) -> tuple[str, Visitor] | None:
    now = workspace.now()
    with workspace.uow() as uow:
        user = users.authenticate(uow.session, email, password, now)
        if user is None:
            return None
        web_sessions.prune(uow.session, now, workspace.lifetime)
        token = web_sessions.start(uow.session, user, host, now)
        audit.record(uow.session, actor=user.email, action="login", subject=user.email, source=host, now=now)
        uow.commit()
        visitor = web_sessions.current(uow.session, token, now, workspace.lifetime)
        assert visitor is not None  # the session just started
        return token, visitor


async def logout(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    browser = browser_of(request)
    if csrf_ok(request, form) and browser is not None:
        if browser.visitor is not None:
            await run_in_threadpool(_log_out, request, browser.token)
        browser.renew()
    return RedirectResponse("/login", status_code=303)


def _log_out(request: Request, token: str) -> None:
    workspace: Workspace = request.app.state.workspace
    with workspace.uow() as uow:
        web_sessions.end(uow.session, token)
        uow.commit()
    audit_request(request, "logout", who(request))


# --- the account and the audit log ---------------------------------------------------------


def _account(request: Request, status: int = 200, **context) -> Response:
    visitor = visitor_of(request)
    own = visitor.timezone if visitor else None
    return render(request, "account.html", status, zones=users.ZONES, own_zone=own, **context)


@page()
async def account(request: Request) -> Response:
    return _account(request, said=request.query_params.get("said"))


@page(change=True, own=True)
async def change_timezone(request: Request, form) -> Response:
    """The zone the person reads the workspace's times in (any role: it is their own view)."""
    workspace: Workspace = request.app.state.workspace
    visitor = visitor_of(request)
    assert visitor is not None  # @page lets in signed-in people only
    zone = str(form.get("timezone") or "")

    def change() -> None:
        with workspace.uow() as uow:
            user = users.set_own_timezone(uow.session, visitor.user_id, zone)
            audit.record(
                uow.session,
                actor=user.email,
                action="user.timezone",
                subject=user.email,
                source=client_address(request),
                detail=f"times shown in {zone or 'the campaign zone'}",
                now=workspace.now(),
            )
            uow.commit()

    try:
        await run_in_threadpool(change)
    except InvalidInput as error:
        return _account(request, 400, zone_problems=[p.message for p in error.problems])
    return back("/account", f"times are now shown in {zone_words(zone) if zone else 'the campaign zone'}")


@page(change=True, own=True)
async def change_password(request: Request, form) -> Response:
    """The person's own password: every session of the account ends, this browser gets a new one."""
    workspace: Workspace = request.app.state.workspace
    browser, host = browser_of(request), client_address(request)
    assert browser is not None and browser.visitor is not None  # @page lets in signed-in people only
    user_id = browser.visitor.user_id

    def change() -> tuple[str, Visitor]:
        now = workspace.now()
        with workspace.uow() as uow:
            user = users.change_own_password(
                uow.session,
                user_id,
                str(form.get("current") or ""),
                str(form.get("new") or ""),
                str(form.get("repeated") or ""),
            )
            audit.record(
                uow.session,
                actor=user.email,
                action="user.password",
                subject=user.email,
                source=host,
                detail="changed in the workspace; every session of the account ended",
                now=now,
            )
            token = web_sessions.start(uow.session, user, host, now)
            uow.commit()
            visitor = web_sessions.current(uow.session, token, now, workspace.lifetime)
            assert visitor is not None  # the session just started
            return token, visitor

    try:
        browser.renew(*await run_in_threadpool(change))
    except InvalidInput as error:
        return _account(request, 400, problems=[p.message for p in error.problems])
    return back("/account", "password changed; every other session of your account has ended")


AUDIT_LIMIT, AUDIT_MOST = 200, 2000


@page(role=Role.ADMIN)
async def audit_log(request: Request) -> Response:
    """The audit log, newest first; administrators only."""
    workspace: Workspace = request.app.state.workspace
    try:
        limit = min(AUDIT_MOST, max(1, int(request.query_params.get("limit") or AUDIT_LIMIT)))
    except ValueError:
        limit = AUDIT_LIMIT
    action = request.query_params.get("action") or None

    def read() -> Response:
        with workspace.uow() as uow:
            return render(
                request,
                "audit.html",
                events=audit.recent(uow.session, limit, action),
                actions=audit.actions(uow.session),
                action=action,
                limit=limit,
            )

    return await run_in_threadpool(read)


def routes() -> list[Route]:
    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/account", account),
        Route("/account/password", change_password, methods=["POST"]),
        Route("/account/timezone", change_timezone, methods=["POST"]),
        Route("/audit", audit_log),
    ]
