"""`outreach steps`: a partner's scheduled messages, held, resumed or skipped one by one."""

from __future__ import annotations

import typer
from rich.table import Table

from outreach.cli.common import actor_name, add_row, console, logbook, printed_without_table
from outreach.db.types import utcnow
from outreach.services.outbound import partner_work
from outreach.services.partners import logbook as partners

app = typer.Typer(help="Scheduled messages: list, hold, resume, skip.", no_args_is_help=True)


@app.command("list")
def list_(
    partner: str = typer.Argument(..., help="The partner's id or a contact's email."),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """What is scheduled for a partner: what, to whom, when, and why it waits."""
    from outreach.services.workspace.times import local, zone_for

    with logbook() as uow:
        found = partners.find_partner(uow.session, partner)
        zone = zone_for(uow.session, partner_id=found.id)
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "template": s.template,
                "contact": s.contact.email,
                "due_at": s.due_at.isoformat(),
                "status": s.status.value,
                "note": s.last_error,
            }
            for s in partner_work.scheduled(uow.session, found.id)
        ]
    if printed_without_table(rows, json_, "Nothing is scheduled."):
        return
    table = Table("id", "message", "to", f"due ({zone})", "status", "note")
    for r in rows:
        add_row(table, str(r["id"]), r["name"], r["contact"], local(r["due_at"], zone), r["status"], r["note"] or "")
    console.print(table)


def _act(verb: str, action) -> None:
    with logbook() as uow:
        step = action(uow.session)
        uow.commit()
        console.print(f"{step.name} to {step.contact.email}: {verb}", markup=False)


@app.command()
def hold(step_id: int = typer.Argument(..., help="The message's id (`outreach steps list PARTNER`).")) -> None:
    """Keep a scheduled message back until it is resumed."""
    _act("held", lambda s: partner_work.hold_step(s, step_id, actor_name()))


@app.command()
def resume(step_id: int = typer.Argument(..., help="The message's id.")) -> None:
    """Let a held message go out (now, or at its date if that is later)."""
    _act("resumed", lambda s: partner_work.resume_step(s, step_id, actor_name(), utcnow()))


@app.command()
def skip(step_id: int = typer.Argument(..., help="The message's id.")) -> None:
    """Never send this message (the reason, with who skipped it, is kept)."""
    _act("skipped", lambda s: partner_work.skip_step(s, step_id, actor_name()))
