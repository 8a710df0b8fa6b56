"""`outreach campaign ...`: check a campaign file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from outreach.campaign import load_campaign
from outreach.campaign.model import NamedMailbox
from outreach.campaign.uploaded import Origin
from outreach.cli.common import add_row, console, logbook, print_json, progress_bar
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.mail.compose import new_message_id
from outreach.mail.wire import wire_bytes
from outreach.messages.envelope import build_message
from outreach.messages.render import draft_all, each_draft, renderer_for

app = typer.Typer(help="Validate and queue outreach campaigns.", no_args_is_help=True)

# The logbook's services are imported by the commands that use them: `validate` and `preview`
# read files only, and start without the database layer.


def load_with_mailbox(file: Path):
    """The campaign file, loaded; a mailbox it names by address comes from the registry."""
    campaign = load_campaign(file)
    if not isinstance(campaign.settings.mailbox, NamedMailbox):
        return campaign
    from outreach.services.outbound import campaigns
    from outreach.settings import mailboxes

    with logbook() as uow:
        mailboxes.check_queueable(uow.session, campaign.settings, Origin.CLI, str(campaign.path))
        return campaigns.with_mailbox(uow.session, campaign)


@app.command()
def validate(file: Path = typer.Argument(..., help="The campaign file (YAML).")) -> None:
    """Check a campaign file, its partners file and every message; exit 2 listing every problem."""
    campaign = load_with_mailbox(file)
    drafts = draft_all(campaign, renderer_for(campaign.settings))  # names partner and variable
    settings = campaign.settings
    table = Table(title=f"campaign {settings.name}: valid", show_header=False)
    add_row(table, "institution", settings.institution.name)
    add_row(table, "mailbox", f"{settings.mailbox.display_name} <{settings.mailbox.address}>")
    add_row(
        table,
        "message",
        f"{settings.message.template} ({settings.message.register.value}, {settings.message.language})",
    )
    add_row(table, "partners", f"{len(campaign.partners)} partners, {campaign.contact_count} contacts")
    steps = ", ".join(f"{s.name} after {s.after_business_days} business days" for s in settings.sequence)
    add_row(table, "follow-ups", steps or "none")
    sending = settings.sending
    add_row(
        table,
        "sending",
        f"{', '.join(sending.days)} {sending.start:%H:%M}-{sending.end:%H:%M} {sending.timezone}, "
        f"at most {sending.max_per_hour}/hour and {sending.max_per_day}/day",
    )
    add_row(
        table,
        "meeting",
        f"{settings.meeting.duration_minutes} min, invited automatically: {settings.meeting.auto_invite.value}",
    )
    console.print(table)
    _say_fallbacks(drafts)


@app.command()
def preview(
    file: Path = typer.Argument(..., help="The campaign file (YAML)."),
    out: Path = typer.Option(..., "--out", help="Folder for one .eml file per message."),
    all_: bool = typer.Option(
        False,
        "--all",
        help="Every kind of message the campaign can send, to each contact (a folder each): first contact, "
        "follow-ups, later, closing, introductions, booking, invitation with its .ics, update, next steps, "
        "cancellation, check-in.",
    ),
) -> None:
    """Write every first-contact message (or, with --all, every kind) as .eml files; send nothing."""
    from outreach.db.types import utcnow

    campaign = load_with_mailbox(file)
    renderer = renderer_for(campaign.settings)
    if all_:
        _preview_all(campaign, renderer, out)
        return
    table = Table("partner", "contact", "language", "register", "subject", "file")
    problems: list[Problem] = []
    written: list[Path] = []
    notes: list[str] = []
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    with progress_bar("writing", campaign.contact_count) as advance:  # each message in turn, none kept
        for draft in each_draft(campaign, renderer, problems, advance):
            notes += draft.notes
            if problems:  # the campaign does not validate: only its problems are wanted now
                continue
            path = out / f"{len(written) + 1:04d}-{_slug(draft.contact.email)}.eml"
            message_id = new_message_id(campaign.settings.mailbox.address)
            message = build_message(campaign.settings, renderer, draft.contact, draft.rendered, message_id, now)
            path.write_bytes(wire_bytes(message))
            written.append(path)
            if len(written) <= TABLE_ROWS:
                rendered = draft.rendered
                add_row(
                    table,
                    draft.partner.name,
                    draft.contact.email,
                    rendered.language,
                    rendered.register,
                    rendered.subject,
                    path.name,
                )
    if problems:  # nothing is left of a preview that does not validate
        _remove(written, out if made else None)
        raise InvalidInput(problems)
    console.print(table)
    if len(written) > TABLE_ROWS:
        console.print(f"... and {len(written) - TABLE_ROWS} more, listed in {out}", markup=False)
    for note in notes:
        console.print(f"note: {note}", markup=False)
    console.print(f"{len(written)} messages written to {out}; nothing was sent")


TABLE_ROWS = 100  # a preview's table lists the first ones; the folder has them all


def _remove(files: list[Path], folder: Path | None) -> None:
    for path in files:
        path.unlink(missing_ok=True)
    if folder is not None:
        folder.rmdir()


def _preview_all(campaign, renderer, out: Path) -> None:
    from outreach.db.types import utcnow
    from outreach.services.outbound.sequence_preview import every_message

    written = every_message(campaign, renderer, out, utcnow())
    table = Table("contact", "kind", "subject", "files")
    for item in written:
        add_row(table, item.contact, item.kind, item.subject or f"not written: {item.problem}", ", ".join(item.files))
    console.print(table)
    problems = [item for item in written if item.problem]
    files = sum(len(item.files) for item in written)
    console.print(f"{files} files for {len(written) - len(problems)} messages written to {out}; nothing was sent")
    if problems:
        raise typer.Exit(1)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


MOVE_HELP = (
    "A contact the logbook has under another organisation is moved to the one the file names (with the "
    "mail still to go to them), and reported; without it, such a contact is refused."
)


@app.command()
def queue(
    file: Path = typer.Argument(..., help="The campaign file (YAML)."),
    move_contact: bool = typer.Option(False, "--move-contact", help=MOVE_HELP),
) -> None:
    """Validate, add the partners to the logbook and schedule their first-contact email.

    Queuing the same file again schedules nothing twice; partners added to the file later
    are the only ones mailed next time. `outreach run` (or the worker and scheduler) sends.
    """
    from outreach.db.types import utcnow
    from outreach.services.outbound import campaigns

    campaign = load_campaign(file)
    renderer = renderer_for(campaign.settings)
    with logbook() as uow, progress_bar("queuing", campaign.contact_count + len(campaign.partners)) as advance:
        summary = campaigns.queue(uow.session, campaign, renderer, utcnow(), advance, move_contacts=move_contact)
        uow.commit()
    partners = summary.partners
    console.print(
        f"campaign {campaign.settings.name}: {summary.scheduled} first-contact emails scheduled, "
        f"{summary.already_queued} already queued before; partners: {partners.partners_created} new, "
        f"{partners.partners_updated} updated"
    )
    for moved in partners.contacts_moved:
        console.print(f"moved: {moved}", markup=False)
    for email in summary.not_mailable:
        console.print(f"not mailed: {email} (unreachable, opted out or forgotten)", markup=False)
    for fallback in summary.fallbacks:
        console.print(f"note: {fallback}", markup=False)
    if summary.changes:
        console.print(
            f"the file changed since it was queued; {summary.steps_updated} pending steps updated:", markup=False
        )
        for change in summary.changes:
            console.print(f"  {change}", markup=False)


@app.command()
def pause(name: str = typer.Argument(..., help="The campaign's name.")) -> None:
    """Queue nothing more of this campaign until it is resumed (its steps are kept)."""
    from outreach.db.types import utcnow
    from outreach.services.outbound import campaign_control as control

    with logbook() as uow:
        control.pause(uow.session, name, utcnow())
        uow.commit()
    console.print(
        f"campaign {name} paused: nothing more goes out until `outreach campaign resume {name}`", markup=False
    )


@app.command()
def resume(name: str = typer.Argument(..., help="The campaign's name.")) -> None:
    """Send the campaign's scheduled mail again."""
    from outreach.services.outbound import campaign_control as control

    with logbook() as uow:
        control.resume(uow.session, name)
        uow.commit()
    console.print(f"campaign {name} resumed", markup=False)


@app.command()
def cancel(
    name: str = typer.Argument(..., help="The campaign's name."),
    reason: str = typer.Option(..., "--reason", help="Why: kept on every cancelled step."),
) -> None:
    """Cancel every pending step of the campaign, keeping the reason (what was sent stays logged)."""
    from outreach.services.outbound import campaign_control as control

    with logbook() as uow:
        count = control.cancel(uow.session, name, reason)
        uow.commit()
    console.print(f"campaign {name}: {count} pending messages cancelled ({reason})", markup=False)


@app.command()
def status(
    name: str = typer.Argument(None, help="A campaign's name (default: all)."),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Where each queued campaign stands: messages per status, and those that need staff."""
    from outreach.services.workspace.status import campaign_status
    from outreach.services.workspace.times import local, zone_for

    with logbook() as uow:
        found = campaign_status(uow.session, name)
        zones = {c.name: zone_for(uow.session, c.name) for c in found}
    if name and not found:
        raise NotFound(f"no campaign {name!r} has been queued; `outreach campaign status` lists them")
    if json_:
        print_json([vars(c) for c in found])
        return
    for campaign in found:
        table = Table(*campaign.counts, title=f"{campaign.name} ({campaign.mailbox})")
        add_row(table, *(str(n) for n in campaign.counts.values()))
        console.print(table)
        if campaign.sending and campaign.sending["state"] == "failing":
            console.print(
                f"  the mailbox {campaign.mailbox} cannot send (failing since "
                f"{campaign.sending['since'][:16].replace('T', ' ')} UTC): {campaign.sending['error']}; "
                "its mail waits",
                markup=False,
            )
        elif campaign.sending:
            console.print(f"  the mailbox {campaign.mailbox} is sending", markup=False)
        for item in campaign.attention:
            console.print(
                f"  {item['status']}: {item['step_name']} to {item['contact']}: {item['error']}", markup=False
            )
        upcoming, zone = campaign.next_message, zones[campaign.name]
        console.print(
            f"  next message: {local(upcoming['at'], zone) + f' {zone}, ' if upcoming['at'] else ''}{upcoming['why']}",
            markup=False,
        )
        for item in campaign.inbound_failed:
            console.print(
                f"  inbound {item['inbound']} could not be processed: {item['error']} "
                f"(`outreach inbound retry {item['inbound']}` after a fix)",
                markup=False,
            )
        if campaign.watcher_failing:
            console.print(
                f"  the watcher of {campaign.mailbox} has failed since "
                f"{local(campaign.watcher_failing['since'], zone)} {zone}: "
                f"{campaign.watcher_failing['error']}",
                markup=False,
            )


def _say_fallbacks(drafts) -> None:
    """A contact whose language has no template is never silent: named with what they get."""
    for draft in drafts:
        for note in draft.notes:
            console.print(f"note: {note}", markup=False)
