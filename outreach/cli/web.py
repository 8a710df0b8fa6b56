"""`outreach web`: the officer's workspace in the browser (and `rotate-secret`, its key);
`outreach users`: its accounts; `outreach audit`: who did what."""

from __future__ import annotations

import secrets
import sys
import threading

import typer
from rich.table import Table

from outreach.cli.common import add_row, console, logbook, print_json, printed_without_table, state
from outreach.db.types import utcnow
from outreach.services.accounts import audit as audit_log
from outreach.services.accounts import users as accounts
from outreach.services.accounts.users import Role
from outreach.services.accounts.web_sessions import Lifetime

HOST = typer.Option(
    "127.0.0.1",
    "--host",
    help="Address to listen on (default: this machine only; put a reverse proxy with TLS in front to serve others).",
)
PORT = typer.Option(8000, "--port", help="Port to listen on.")
SECURE = typer.Option(False, "--secure-cookies", help="Send the session cookie only over HTTPS (behind TLS).")
IDLE = typer.Option(
    None,
    "--idle-hours",
    envvar="OUTREACH_WEB_IDLE_HOURS",
    help="A session ends after this many hours without a request (default 8).",
)
LONGEST = typer.Option(
    None,
    "--max-days",
    envvar="OUTREACH_WEB_MAX_DAYS",
    help="A session ends this many days after the login, however busy (default 7).",
)


def server(app, host: str, port: int, secure_cookies: bool = False, lifetime: Lifetime | None = None):
    """A uvicorn server of the workspace on a composition root (worker.app.App)."""
    import uvicorn

    from outreach.web.app import create_app

    config = uvicorn.Config(
        create_app(app, secure_cookies, lifetime=lifetime),
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=True,
        server_header=False,
    )
    return uvicorn.Server(config)


def serve_in_thread(app, host: str, port: int, secure_cookies: bool = False) -> tuple[object, threading.Thread]:
    web = server(app, host, port, secure_cookies)
    thread = threading.Thread(target=web.run, name="web", daemon=True)
    thread.start()
    return web, thread


web_app = typer.Typer(
    help="The workspace in the browser: Today, Pipeline, Partners, Campaigns, Reports.", invoke_without_command=True
)


@web_app.callback()
def web(
    ctx: typer.Context,
    host: str = HOST,
    port: int = PORT,
    secure_cookies: bool = SECURE,
    idle_hours: str = IDLE,
    max_days: str = LONGEST,
) -> None:
    """Serve the workspace: Today, Pipeline, Partners, Campaigns, Reports (log in with an account
    made by `outreach users add`). `outreach web rotate-secret` makes a new signing key."""
    if ctx.invoked_subcommand is not None:
        return
    from worker.app import App

    lifetime = Lifetime.of(idle_hours, max_days)
    app = App(database_url=state.database)
    try:
        with app.uow() as uow:
            if not accounts.all_users(uow.session):
                console.print("no account yet: make one with `outreach users add EMAIL --role admin`", markup=False)
        console.print(f"the workspace: http://{host}:{port}/ (Ctrl-C stops)", markup=False)
        server(app, host, port, secure_cookies, lifetime).run()
    finally:
        app.close()


@web_app.command("rotate-secret")
def rotate_secret() -> None:
    """Make a new signing key and end every session at once (everyone logs in again)."""
    from outreach import signing_key
    from outreach.services.accounts import web_sessions
    from worker.app import App

    app = App(database_url=state.database)
    try:
        given = signing_key.SigningKey(app.data_dir).given
        if not given:
            signing_key.write(signing_key.key_path(app.data_dir))
        with app.uow() as uow:
            ended = web_sessions.end_all(uow.session)
            audit_log.record(
                uow.session,
                actor=audit_log.cli_actor(),
                action="secret.rotate",
                source="cli",
                detail=f"{ended} sessions ended"
                + (f"; the key itself is given by {signing_key.KEY_ENV}" if given else ""),
                now=utcnow(),
            )
            uow.commit()
    finally:
        app.close()
    console.print(f"{ended} session{'s' if ended != 1 else ''} ended", markup=False)
    if given:
        typer.echo(
            f"error: the key comes from {signing_key.KEY_ENV}: set a new value there and restart the workspace",
            err=True,
        )
        raise typer.Exit(1)
    console.print(
        f"a new key is in {signing_key.key_path(app.data_dir)}; the running workspace uses it at once", markup=False
    )


users = typer.Typer(help="Accounts of the web workspace.", no_args_is_help=True)


def _password() -> str:
    """From standard input: typed twice on a terminal, else the first line."""
    if sys.stdin.isatty():
        return typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _audited(uow, action: str, subject: str, detail: str = "") -> None:
    audit_log.record(
        uow.session,
        actor=audit_log.cli_actor(),
        action=action,
        subject=subject,
        source="cli",
        detail=detail,
        now=utcnow(),
    )


@users.command("add")
def add(
    email: str = typer.Argument(..., help="The person's email address (their login)."),
    role: Role = typer.Option(Role.OFFICER, "--role", help="admin, officer or viewer."),
) -> None:
    """Add an account; the password is read from standard input (typed twice on a terminal)."""
    password = _password()
    with logbook() as uow:
        user = accounts.add(uow.session, email, role, password, utcnow())
        _audited(uow, "user.add", user.email, f"role {role.value}")
        uow.commit()
    console.print(f"account {user.email} ({role.value}) added", markup=False)


@users.command("password")
def password(email: str = typer.Argument(..., help="The account's email address.")) -> None:
    """Set a new password (standard input; typed twice on a terminal); the account's sessions end."""
    new = _password()
    with logbook() as uow:
        user = accounts.set_password(uow.session, email, new)
        _audited(uow, "user.password", user.email, "set from the command line; every session ended")
        uow.commit()
    console.print(f"password of {user.email} changed; its sessions have ended", markup=False)


@users.command("role")
def role_(
    email: str = typer.Argument(..., help="The account's email address."),
    role: Role = typer.Argument(..., help="admin, officer or viewer."),
) -> None:
    """Give an account another role (from its next request on)."""
    with logbook() as uow:
        user = accounts.find(uow.session, email)
        before = user.role
        accounts.set_role(uow.session, email, role)
        _audited(uow, "user.role", user.email, f"{before} -> {role.value}")
        uow.commit()
    console.print(f"{user.email} is now {role.value}", markup=False)


@users.command("list")
def list_(json_: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The accounts and when each last logged in."""
    from outreach.services.workspace.times import local, zone_for

    with logbook() as uow:
        rows = [
            {
                "email": u.email,
                "role": u.role,
                "created_at": u.created_at.isoformat(),
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            for u in accounts.all_users(uow.session)
        ]
        zone = zone_for(uow.session)
    if printed_without_table(rows, json_, "No account yet: `outreach users add EMAIL --role admin`."):
        return
    table = Table("email", "role", "since", f"last login ({zone})")
    for r in rows:
        add_row(
            table,
            r["email"],
            r["role"],
            local(r["created_at"], zone, "%Y-%m-%d"),
            local(r["last_login_at"], zone) or "never",
        )
    console.print(table)


@users.command("remove")
def remove(email: str = typer.Argument(..., help="The account's email address.")) -> None:
    """Remove an account; its open sessions end at once."""
    with logbook() as uow:
        accounts.remove(uow.session, email)
        _audited(uow, "user.remove", email.strip().lower())
        uow.commit()
    console.print(f"account {email} removed", markup=False)


def audit(
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(50, "--limit", min=1, max=100_000, help="How many entries, newest first."),
    action: str = typer.Option(None, "--action", help="Only this action (e.g. login.failed)."),
) -> None:
    """The audit log: logins and failed logins, account changes, campaign uploads, exports,
    erasures and key rotations: who, when, from where."""
    with logbook() as uow:
        rows = [audit_log.as_dict(e) for e in audit_log.recent(uow.session, limit, action)]
    if json_:
        print_json(rows)
        return
    if printed_without_table(rows, False, "Nothing recorded yet."):
        return
    table = Table("when (UTC)", "who", "action", "what", "from", "detail")
    for r in rows:
        add_row(table, r["at"][:19].replace("T", " "), r["actor"], r["action"], r["subject"], r["source"], r["detail"])
    console.print(table)


def demo_account(app) -> tuple[str, str]:
    """An officer account on the demo's logbook, with a new password each run."""
    email, password = "officer@riverside.example", secrets.token_urlsafe(12)
    with app.uow() as uow:
        existing = [u for u in accounts.all_users(uow.session) if u.email == email]
        for user in existing:
            uow.session.delete(user)
        uow.session.flush()
        accounts.add(uow.session, email, Role.OFFICER, password, utcnow())
        uow.commit()
    return email, password
