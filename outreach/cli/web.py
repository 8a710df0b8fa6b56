"""`outreach web`: the officer's workspace in the browser; `outreach users`: its accounts."""

from __future__ import annotations

import secrets
import sys
import threading

import typer
from rich.table import Table

from outreach.cli.common import add_row, console, logbook, printed_without_table, state
from outreach.db.types import utcnow
from outreach.services.accounts import users as accounts
from outreach.services.accounts.users import Role

HOST = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this machine only; put a "
                                                 "reverse proxy with TLS in front to serve others).")
PORT = typer.Option(8000, "--port", help="Port to listen on.")
SECURE = typer.Option(False, "--secure-cookies", help="Send the session cookie only over HTTPS (behind TLS).")


def server(app, host: str, port: int, secure_cookies: bool = False):
    """A uvicorn server of the workspace on a composition root (worker.app.App)."""
    import uvicorn

    from outreach.web.app import create_app

    config = uvicorn.Config(create_app(app, secure_cookies), host=host, port=port, log_level="warning",
                            proxy_headers=True, server_header=False)
    return uvicorn.Server(config)


def serve_in_thread(app, host: str, port: int, secure_cookies: bool = False) -> tuple[object, threading.Thread]:
    web = server(app, host, port, secure_cookies)
    thread = threading.Thread(target=web.run, name="web", daemon=True)
    thread.start()
    return web, thread


def web(host: str = HOST, port: int = PORT, secure_cookies: bool = SECURE) -> None:
    """Serve the workspace: Today, Pipeline, Partners, Campaigns, Reports (log in with an account
    made by `outreach users add`)."""
    from worker.app import App

    app = App(database_url=state.database)
    try:
        with app.uow() as uow:
            if not accounts.all_users(uow.session):
                console.print("no account yet: make one with `outreach users add EMAIL --role admin`", markup=False)
        console.print(f"the workspace: http://{host}:{port}/ (Ctrl-C stops)", markup=False)
        server(app, host, port, secure_cookies).run()
    finally:
        app.close()


users = typer.Typer(help="Accounts of the web workspace.", no_args_is_help=True)


@users.command("add")
def add(email: str = typer.Argument(..., help="The person's email address (their login)."),
        role: Role = typer.Option(Role.OFFICER, "--role", help="admin, officer or viewer.")) -> None:
    """Add an account; the password is read from standard input (typed twice on a terminal)."""
    if sys.stdin.isatty():
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with logbook() as uow:
        accounts.add(uow.session, email, role, password, utcnow())
        uow.commit()
    console.print(f"account {email.strip().lower()} ({role.value}) added", markup=False)


@users.command("list")
def list_(json_: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The accounts and when each last logged in."""
    from outreach.services.workspace.times import local, zone_for

    with logbook() as uow:
        rows = [{"email": u.email, "role": u.role, "created_at": u.created_at.isoformat(),
                 "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None}
                for u in accounts.all_users(uow.session)]
        zone = zone_for(uow.session)
    if printed_without_table(rows, json_, "No account yet: `outreach users add EMAIL --role admin`."):
        return
    table = Table("email", "role", "since", f"last login ({zone})")
    for r in rows:
        add_row(table, r["email"], r["role"], local(r["created_at"], zone, "%Y-%m-%d"),
                local(r["last_login_at"], zone) or "never")
    console.print(table)


@users.command("remove")
def remove(email: str = typer.Argument(..., help="The account's email address.")) -> None:
    """Remove an account (its sessions end at their next request)."""
    with logbook() as uow:
        accounts.remove(uow.session, email)
        uow.commit()
    console.print(f"account {email} removed", markup=False)


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
