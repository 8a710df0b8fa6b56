"""`outreach campaign ...`: check a campaign file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from outreach.campaign import load_campaign
from outreach.cli.common import console

app = typer.Typer(help="Validate and queue outreach campaigns.", no_args_is_help=True)


@app.command()
def validate(file: Path = typer.Argument(..., help="The campaign file (YAML).")) -> None:
    """Check a campaign file and its partners file; exit 2 listing every problem."""
    campaign = load_campaign(file)
    settings = campaign.settings
    table = Table(title=f"campaign {settings.name}: valid", show_header=False)
    table.add_row("institution", settings.institution.name)
    table.add_row("mailbox", f"{settings.mailbox.display_name} <{settings.mailbox.address}>")
    table.add_row("message", f"{settings.message.template} ({settings.message.register.value}, {settings.message.language})")
    table.add_row("partners", f"{len(campaign.partners)} partners, {campaign.contact_count} contacts")
    steps = ", ".join(f"{s.name} after {s.after_business_days} business days" for s in settings.sequence)
    table.add_row("follow-ups", steps or "none")
    sending = settings.sending
    table.add_row("sending", f"{', '.join(sending.days)} {sending.start:%H:%M}-{sending.end:%H:%M} {sending.timezone}, "
                  f"at most {sending.max_per_hour}/hour and {sending.max_per_day}/day")
    table.add_row("meeting", f"{settings.meeting.duration_minutes} min, "
                  f"{'invited automatically' if settings.meeting.auto_invite else 'invited by staff'}")
    console.print(table)
