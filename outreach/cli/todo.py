"""`outreach todo`: what needs a person, oldest first; `outreach todo done ID` closes one;
`outreach todo confirm ID` vouches for the sender of a message that could not be proved."""

from __future__ import annotations

import typer
from rich.table import Table

from outreach.cli.common import actor_name, add_row, console, logbook, printed_without_table, state
from outreach.db.types import utcnow
from outreach.errors import NotFound
from outreach.services.partners import todos

app = typer.Typer(
    help="Staff to-dos: rejections of our mail, failed or unproven inbound mail.", invoke_without_command=True
)


@app.callback()
def show(ctx: typer.Context, json_: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The open to-dos, oldest first."""
    if ctx.invoked_subcommand is not None:
        return
    from outreach.services.workspace.times import local, zone_for

    with logbook() as uow:
        rows = [
            {
                "id": t.id,
                "kind": t.kind,
                "partner": t.partner.name if t.partner else None,
                "inbound": t.inbound_id,
                "created_at": t.created_at.isoformat(),
                "text": t.text,
            }
            for t in todos.open_todos(uow.session)
        ]
        zone = zone_for(uow.session)
    if printed_without_table(rows, json_, "Nothing to do."):
        return
    table = Table("id", f"since ({zone})", "kind", "partner", "what")
    for r in rows:
        add_row(table, str(r["id"]), local(r["created_at"], zone), r["kind"], r["partner"] or "", r["text"])
    console.print(table)


@app.command("done")
def done(
    todo_id: int = typer.Argument(..., help="The to-do's id."),
    reason: str = typer.Option("done", "--reason", help="What was done, or why it is dismissed."),
) -> None:
    """Close a to-do with a reason (kept with who closed it)."""
    with logbook() as uow:
        todo = todos.close(uow.session, todo_id, reason, utcnow(), actor_name())
        if todo is None:
            raise NotFound(f"no to-do {todo_id}; `outreach todo` lists them")
        uow.commit()
    console.print(f"to-do {todo_id} closed")


@app.command("confirm")
def confirm(todo_id: int = typer.Argument(..., help="The to-do's id (an unproved_* to-do).")) -> None:
    """Vouch for the sender of a message that could not be proved: it is acted on now (an
    opt-out suppresses the address, a colleague becomes a contact, a reply moves the partner
    on) and the to-do is closed."""
    from outreach.services.inbound import inbox
    from worker.app import App
    from worker.dispatch import dispatch

    app = App(database_url=state.database)
    try:
        with app.uow() as uow:
            outcome = inbox.confirm(uow, todo_id, app.now(), actor_name())
        dispatch(app, outcome.events)
    finally:
        app.close()
    console.print(
        f"to-do {todo_id} confirmed: the {(outcome.kind or '').replace('_', ' ')} from {outcome.partner} was acted on",
        markup=False,
    )
