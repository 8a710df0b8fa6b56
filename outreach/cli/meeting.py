"""`outreach meeting ...`: first exploration meetings."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from outreach.cli.common import add_row, console, logbook, print_json
from outreach.db.models import Campaign, Meeting
from outreach.db.types import utcnow
from outreach.errors import InvalidInput, Problem
from outreach.messages.render import renderer_for
from outreach.services.meetings import invitations as meetings
from outreach.services.partners import logbook as partners
from outreach.settings.campaigns import settings_of

app = typer.Typer(
    help="First exploration meetings: invite, move, cancel, decide a counter-proposal, list.", no_args_is_help=True
)

DRY_RUN = typer.Option(False, "--dry-run", help="Write the .eml and .ics files; send and store nothing.")
OUT = typer.Option(None, "--out", help="Folder for --dry-run files.")


def _when(text: str, zone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput([Problem("--at", None, text, "write a date and time, e.g. 2027-03-09T10:00")]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


def _deliver(uow, meeting: Meeting, dry_run: bool, out: Path | None) -> None:
    settings = settings_of(uow.session.get(Campaign, meeting.campaign_id))
    renderer = renderer_for(settings)
    if dry_run:
        message, ics = meetings.invitation(settings, renderer, meeting, utcnow())
        folder = out or Path("meeting-preview")
        folder.mkdir(parents=True, exist_ok=True)
        name = f"meeting-{meeting.uid.split('@')[0]}-{meeting.sequence}"
        (folder / f"{name}.eml").write_bytes(message.as_bytes())
        (folder / f"{name}.ics").write_bytes(ics)
        console.print(f"written to {folder}; nothing was sent or stored")
        return
    meetings.deliver(uow, meeting, utcnow())
    console.print(
        f"meeting {meeting.id} ({meeting.status}, sequence {meeting.sequence}) sent to "
        f"{', '.join(a.email for a in meeting.attendees)}"
    )


@app.command()
def invite(
    partner: str = typer.Argument(..., help="The partner's id or a contact's email."),
    at: str = typer.Option(
        None,
        "--at",
        help="Start, e.g. 2027-03-09T10:00 (the meeting timezone unless given); "
        "default: the first slot in both parties' hours.",
    ),
    duration: int = typer.Option(None, "--duration", help="Minutes (default: the campaign's)."),
    campaign: str = typer.Option(None, "--campaign", help="The campaign whose mailbox invites (default: the latest)."),
    dry_run: bool = DRY_RUN,
    out: Path = OUT,
) -> None:
    """Invite a partner's contacts to the first exploration meeting (.ics with the guide's agenda)."""
    with logbook() as uow:
        found = partners.find_partner(uow.session, partner)
        row = meetings.campaign_for(uow.session, found, campaign)
        settings = settings_of(row)
        start = (
            _when(at, meetings.zone_of(settings))
            if at
            else meetings.next_slot(uow.session, settings, utcnow(), theirs=meetings.their_hours(found, settings))
        )
        meeting = meetings.invite(uow.session, found, row, start, timedelta(minutes=duration) if duration else None)
        _deliver(uow, meeting, dry_run, out)


@app.command()
def slots(
    partner: str = typer.Argument(..., help="The partner's id or a contact's email."),
    count: int = typer.Option(3, "--count", min=1, max=50, help="How many slots."),
    campaign: str = typer.Option(
        None, "--campaign", help="The campaign whose meeting hours count (default: the latest)."
    ),
    json_: bool = typer.Option(False, "--json", help="Print JSON: start and partner_local, ISO 8601 with offsets."),
) -> None:
    """Free slots in our meeting hours, the partner's working hours (where they are) and our calendar."""
    with logbook() as uow:
        found = partners.find_partner(uow.session, partner)
        row = meetings.campaign_for(uow.session, found, campaign)
        settings = settings_of(row)
        theirs = meetings.their_hours(found, settings)
        offered = meetings.offered(uow.session, found, row, utcnow(), count)
        if not offered:  # why, and the nearest options, for a person to agree one
            typer.echo(f"{found.name}: {meetings.why_no_slot(uow.session, settings, utcnow(), theirs)}", err=True)
    if json_:
        print_json([slot.as_dict() for slot in offered])
        return
    table = Table(
        f"Ours ({meetings.zone_of(settings)})", f"Theirs ({theirs.zone}, {theirs.start:%H:%M}-{theirs.end:%H:%M})"
    )
    for slot in offered:
        add_row(table, f"{slot.start:%a %Y-%m-%d %H:%M}", f"{slot.partner_local:%a %Y-%m-%d %H:%M}")
    console.print(table)


@app.command()
def reschedule(
    meeting_id: int = typer.Argument(..., metavar="MEETING"),
    at: str = typer.Option(..., "--at", help="The new start."),
    dry_run: bool = DRY_RUN,
    out: Path = OUT,
) -> None:
    """Move a meeting: same UID, SEQUENCE + 1; calendars move the same event."""
    with logbook() as uow:
        meeting = meetings.find(uow.session, meeting_id)
        meetings.reschedule(meeting, _when(at, meeting.timezone))
        _deliver(uow, meeting, dry_run, out)


@app.command()
def cancel(meeting_id: int = typer.Argument(..., metavar="MEETING"), dry_run: bool = DRY_RUN, out: Path = OUT) -> None:
    """Cancel a meeting (METHOD:CANCEL); calendars remove it."""
    with logbook() as uow:
        meeting = meetings.find(uow.session, meeting_id)
        meetings.cancel(meeting)
        _deliver(uow, meeting, dry_run, out)


@app.command()
def resend(meeting_id: int = typer.Argument(..., metavar="MEETING"), dry_run: bool = DRY_RUN, out: Path = OUT) -> None:
    """Send a meeting's latest mail again as it is (same SEQUENCE), e.g. after the mailbox could not send it."""
    with logbook() as uow:
        _deliver(uow, meetings.find(uow.session, meeting_id), dry_run, out)


@app.command()
def counter(
    meeting_id: int = typer.Argument(..., metavar="MEETING"),
    decision: str = typer.Argument(..., metavar="accept|decline"),
) -> None:
    """Decide the partner's counter-proposal: accept (the meeting moves to the time they
    proposed, SEQUENCE + 1, they get the update) or decline (METHOD:DECLINECOUNTER: they are
    told the original time stands). The to-do closes with who decided."""
    from outreach.cli.common import actor_name
    from outreach.services.meetings import counters

    choice = counters.decision_of(decision)
    with logbook() as uow:
        decided = counters.decide_for_meeting(uow, meeting_id, choice, actor_name(), utcnow())
    console.print(decided.said, markup=False)


@app.command("list")
def list_(json_: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Meetings with each attendee's answer."""
    import sqlalchemy as sa

    with logbook() as uow:
        rows: list[dict[str, Any]] = [
            {
                "id": m.id,
                "uid": m.uid,
                "partner": m.partner.name,
                "start": m.start_at.isoformat(),
                "timezone": m.timezone,
                "status": m.status,
                "sequence": m.sequence,
                "attendees": [{"email": a.email, "answer": a.partstat, "comment": a.comment} for a in m.attendees],
            }
            for m in uow.session.scalars(sa.select(Meeting).order_by(Meeting.start_at))
        ]
    if json_:
        print_json(rows)
        return
    from outreach.services.workspace.times import local

    table = Table("id", "partner", "start", "status", "answers")
    for row in rows:  # each in the meeting's own timezone, the one its invitation names
        answers = ", ".join(f"{a['email']}: {a['answer']}" for a in row["attendees"])
        add_row(
            table,
            str(row["id"]),
            row["partner"],
            f"{local(row['start'], row['timezone'])} {row['timezone']}",
            f"{row['status']} #{row['sequence']}",
            answers,
        )
    console.print(table)


@app.command()
def outcome(
    meeting_id: int = typer.Argument(..., metavar="MEETING"),
    notes: Path = typer.Option(
        ...,
        "--notes",
        help="A YAML file: takeaways, actions (what, owner, due), contacts (ours, theirs), partnership_types, notes.",
    ),
    approve_now: bool = typer.Option(False, "--approve", help="Also approve the next-steps mail drafted from it."),
) -> None:
    """Record what the meeting agreed; the next-steps mail is drafted from it and goes out
    once approved (or, where the campaign says so, some hours later)."""
    from outreach.campaign.load import load_document
    from outreach.cli.common import actor_name
    from outreach.domain.outcome import Outcome

    recorded = load_document(notes, Outcome)
    with logbook() as uow:
        meeting = meetings.find(uow.session, meeting_id)
        meetings.record_outcome(uow.session, meeting, recorded, actor_name(), utcnow())
        if approve_now:
            meetings.approve_next_steps(uow.session, meeting, actor_name(), utcnow())
        uow.commit()
        console.print(
            f"outcome of meeting {meeting_id} recorded"
            + (
                " and the next-steps mail approved"
                if approve_now
                else f"; approve the next-steps mail with `outreach meeting approve {meeting_id}`"
            ),
            markup=False,
        )


@app.command()
def approve(meeting_id: int = typer.Argument(..., metavar="MEETING")) -> None:
    """Approve the next-steps mail drafted from the meeting's recorded outcome."""
    from outreach.cli.common import actor_name

    with logbook() as uow:
        meetings.approve_next_steps(uow.session, meetings.find(uow.session, meeting_id), actor_name(), utcnow())
        uow.commit()
    console.print(
        f"the next-steps mail of meeting {meeting_id} is approved; it goes out with the next round", markup=False
    )
