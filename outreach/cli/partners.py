"""`outreach partners ...`: the partner logbook."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import sqlalchemy as sa
import typer
from rich.markup import escape
from rich.table import Table

from outreach.adapters.tabular import check_suffix, read_rows, write_rows
from outreach.cli.common import (
    actor_name,
    add_row,
    console,
    logbook,
    print_json,
    printed_without_table,
    progress_bar,
    report_problems,
)
from outreach.db.types import utcnow
from outreach.domain.logbook import Table as LogbookTable
from outreach.domain.logbook import partners_from_table, table_from_partners
from outreach.domain.suppression import email_hash
from outreach.domain.vocabulary import Phase
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.messages.render import renderer_for
from outreach.services.accounts import audit
from outreach.services.partners import erasure
from outreach.services.partners import logbook as service
from outreach.settings.campaigns import settings_of
from outreach.views import partner_detail, partner_row

app = typer.Typer(help="The partner logbook: import, export, list, show, move, forget.", no_args_is_help=True)


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise InvalidInput([Problem("--map", None, pair, "write it as FIELD=COLUMN, e.g. --map email=E-Mail")])
        mapping[field.strip()] = header.strip()
    return mapping


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="A .csv or .xlsx logbook; row 1 names the columns."),
    map_: list[str] = typer.Option([], "--map", help="FIELD=COLUMN where the file's column name differs."),
    sheet: str = typer.Option(None, help="XLSX: the sheet to read (default: the first)."),
    encoding: str = typer.Option("utf-8-sig", help="CSV: the file's encoding (e.g. cp1252)."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the valid rows and list the others."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the file; write nothing."),
    move_contact: bool = typer.Option(
        False,
        "--move-contact",
        help="A contact the logbook has under another "
        "organisation is moved to the one the file names, and reported; without it, "
        "such a contact is refused.",
    ),
) -> None:
    """Add the file's partners to the logbook, or update the ones it already has."""
    headers, rows = read_rows(file, sheet, encoding)
    records, problems = partners_from_table(LogbookTable(str(file), headers, rows), _mapping(map_))
    if problems and (not skip_invalid or not records):
        raise InvalidInput(problems)
    with logbook() as uow, progress_bar("importing", len(records)) as advance:
        summary = service.upsert_partners(uow.session, records, f"import:{file.name}", advance, move_contact)
        if not dry_run:
            uow.commit()
    if problems:
        report_problems(InvalidInput(problems), "those rows were not imported")
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{verb} {len(rows) - len({p.line for p in problems})} of {len(rows)} rows: "
        f"{summary.partners_created} new partners, {summary.partners_updated} updated, "
        f"{summary.partners_unchanged} unchanged; {summary.contacts_created} new contacts, "
        f"{summary.contacts_updated} updated"
    )
    for moved in summary.contacts_moved:
        console.print(f"{'would move' if dry_run else 'moved'}: {moved}", markup=False)
    for email in summary.skipped_erased:
        console.print(f"not added: {email} asked to be forgotten")


@app.command()
def export(file: Path = typer.Argument(..., help="Where to write: a .csv or .xlsx file.")) -> None:
    """Write the whole logbook to a file that `partners import` reads back."""
    check_suffix(file)
    with logbook() as uow:
        records = [service.snapshot(p) for p in service.all_partners(uow.session)]
        headers, rows = table_from_partners(records)
        write_rows(file, headers, rows)
        audit.record(
            uow.session,
            actor=audit.cli_actor(),
            action="export",
            subject=str(file.name),
            source="cli",
            detail=f"{len(records)} partners to {file}",
            now=utcnow(),
        )
        uow.commit()
    console.print(f"exported {len(records)} partners ({len(rows)} rows) to {file}")


@app.command("list")
def list_(
    phase: str = typer.Option(None, help="Only partners in this phase."),
    sort: str = typer.Option("id", "--sort", help="id, or score: by the campaign's selection criteria, best first."),
    campaign: str = typer.Option(None, "--campaign", help="With --sort score: whose criteria (default: the latest)."),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The partners with their phase and status (and, sorted by score, the reasons)."""
    if sort not in ("id", "score"):
        raise InvalidInput([Problem("(command line)", None, "--sort", "sort by id or by score")])
    wanted = _phase(phase) if phase else None
    with logbook() as uow:
        partners = service.all_partners(uow.session, wanted)
        rows = [partner_row(p) for p in partners]
        if sort == "score":
            from outreach.domain.selection import score
            from outreach.services.outbound.campaigns import criteria_of

            criteria = criteria_of(uow.session, campaign)
            for row, partner in zip(rows, partners, strict=False):
                found = score(service.snapshot(partner, trusted=True), criteria)
                row.update(score=found.points, reasons=list(found.reasons))
            rows.sort(key=lambda row: -row["score"])
    if json_:
        print_json(rows)
        return
    columns = ("id", "partner", "country", "source", "phase", "status", "contacts") + (
        ("score", "why") if sort == "score" else ()
    )
    table = Table(*columns)
    for row in rows:
        extra = (f"{row['score']:g}", "; ".join(row["reasons"])) if sort == "score" else ()
        add_row(
            table,
            str(row["id"]),
            row["name"],
            row["country"] or "",
            row["source"],
            row["phase"],
            row["status"],
            str(row["contacts"]),
            *extra,
        )
    console.print(table)
    console.print(f"{len(rows)} partners")


@app.command()
def introduce(
    ref: str = typer.Argument(..., help="The partner to be introduced to (id or a contact's email)."),
    via: str = typer.Option(..., "--via", help="The mutual contact's email (a contact in the logbook)."),
) -> None:
    """Ask a mutual contact to introduce us to a partner (the guide: use warm introductions); a
    contact added later can name them with introduced_by, and the first contact then names them."""
    import sqlalchemy as sa

    from outreach.db.models import Contact
    from outreach.db.types import utcnow
    from outreach.services.outbound.partner_work import ask_for_introduction

    with logbook() as uow:
        target = service.find_partner(uow.session, ref)
        mutual = uow.session.scalar(sa.select(Contact).where(Contact.email == via.strip().lower()))
        if mutual is None:
            raise NotFound(f"{via} is not a contact in the logbook: add them (with their organisation) first")
        step = ask_for_introduction(uow.session, target, mutual, actor_name(), utcnow())
        uow.commit()
        console.print(
            f"introduction request to {mutual.email} about {target.name} queued (step {step.id})", markup=False
        )


@app.command()
def proposal(
    ref: str = typer.Argument(..., help="The partner's id or a contact's email."),
    out: Path = typer.Option(
        None,
        "--out",
        help="Where to write it: FILE.md or FILE.docx (default: both, kept with the partner in the data folder).",
    ),
    funding: str = typer.Option(
        None, "--funding", help="How it is funded (e.g. 'Erasmus+ KA2 cooperation partnership')."
    ),
    campaign: str = typer.Option(
        None, "--campaign", help="The campaign whose profile and language apply (default: latest)."
    ),
) -> None:
    """An outline proposal drafted from the latest meeting's outcome (who does what, funding,
    timeline), as Markdown and Word; a copy is kept with the partner (its timeline names it) and
    `outreach partners mail ID --template ... --attach FILE` sends it."""
    import os
    from datetime import date

    from outreach.adapters.docx_writer import as_docx
    from outreach.db.types import utcnow
    from outreach.services.meetings import collaboration as lifecycle
    from outreach.services.meetings import invitations as meetings
    from outreach.services.outbound.partner_work import add_note

    with logbook() as uow:
        partner = service.find_partner(uow.session, ref)
        settings = settings_of(meetings.campaign_for(uow.session, partner, campaign))
        text = lifecycle.proposal_draft(settings, renderer_for(settings), partner, funding)
        kept = Path(os.environ.get("OUTREACH_DATA") or "outreach-data") / "documents" / f"partner-{partner.id}"
        kept.mkdir(parents=True, exist_ok=True, mode=0o700)
        stem = kept / f"proposal-{date.today():%Y-%m-%d}"
        stem.with_suffix(".md").write_text(text, encoding="utf-8")
        language = _document_language(settings, partner, "proposal/proposal")
        stem.with_suffix(".docx").write_bytes(as_docx(text, title=f"Proposal: {partner.name}", language=language))
        written = [stem.with_suffix(".md"), stem.with_suffix(".docx")]
        if out is not None:
            if out.suffix.lower() == ".docx":
                out.write_bytes(stem.with_suffix(".docx").read_bytes())
            else:
                out.write_text(text, encoding="utf-8")
            written.append(out)
        add_note(
            uow.session,
            partner,
            f"Outline proposal drafted: {', '.join(str(p) for p in written)}",
            actor_name(),
            utcnow(),
        )
        uow.commit()
    for path in written:
        console.print(f"written: {path}", markup=False)


@app.command("record")
def record_(
    ref: str = typer.Argument(..., help="The partner's id or a contact's email."),
    tools: str = typer.Option(None, "--tools", help="Agreed tools (e.g. 'Teams channel, shared drive')."),
    schedule: str = typer.Option(None, "--schedule", help="Agreed meeting schedule (e.g. 'quarterly check-ins')."),
) -> None:
    """The partnership record: agreed tools and meeting schedule (KPIs: `partners kpi`)."""
    from outreach.services.partners import partnerships

    with logbook() as uow:
        partner = service.find_partner(uow.session, ref)
        kept = partnerships.record(partner, tools, schedule)
        uow.commit()
    console.print("; ".join(f"{k}: {v}" for k, v in kept.items()) or "nothing recorded yet", markup=False)


@app.command()
def result(
    ref: str = typer.Argument(..., help="The partner's id or a contact's email."),
    text: str = typer.Argument(..., help="What was achieved: a result or a success story."),
    opportunity: bool = typer.Option(False, "--opportunity", help="It opens a new opportunity: raise a to-do."),
) -> None:
    """Log a result or success story of a partnership (and, with --opportunity, a to-do)."""
    from outreach.db.types import utcnow
    from outreach.services.partners import partnerships

    with logbook() as uow:
        partner = service.find_partner(uow.session, ref)
        partnerships.log_result(uow.session, partner, text, actor_name(), utcnow(), opportunity)
        uow.commit()
    console.print("result logged" + (" and a to-do raised for the new opportunity" if opportunity else ""))


@app.command()
def kpi(
    ref: str = typer.Argument(..., help="The partner's id or a contact's email."),
    name: str = typer.Argument(None, help="The KPI (e.g. 'Learners on placement'); none: list them."),
    value: float = typer.Argument(None, help="With a name: where the KPI stands now."),
    target: float = typer.Option(None, "--target", help="A new KPI: its target."),
    unit: str = typer.Option(None, "--unit", help="A new KPI: its unit (learners, visits, EUR, ...)."),
    due: str = typer.Option(None, "--due", help="A new KPI: by when (YYYY-MM-DD)."),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A partnership's KPIs: list them; add one (--target, --unit, --due); or record where one
    stands (NAME VALUE). The check-in mails list their progress; the MoU carries them."""
    from outreach.db.types import utcnow
    from outreach.services.partners import kpis

    with logbook() as uow:
        partner = service.find_partner(uow.session, ref)
        if name and target is not None:
            if not unit:
                raise InvalidInput([Problem("(command line)", None, "--unit", "a new KPI needs a unit")])
            kpis.add(uow.session, partner, name, target, unit, _date(due), actor_name(), utcnow())
        elif name and value is not None:
            kpis.update(uow.session, partner, name, value, actor_name(), utcnow())
        elif name:
            raise InvalidInput(
                [Problem("(command line)", None, "NAME", "give a value, or --target and --unit for a new KPI")]
            )
        uow.commit()
        rows = [
            {
                "name": k.name,
                "target": k.target,
                "unit": k.unit,
                "due": k.due.isoformat() if k.due else None,
                "current": k.current,
                "progress": kpis.progress(k),
                "updated_by": k.updated_by,
            }
            for k in kpis.of(uow.session, partner.id)
        ]
        none = f"{partner.name} has no KPI yet."
    if printed_without_table(rows, json_, none):
        return
    table = Table("KPI", "now", "target", "due", "progress")
    for r in rows:
        add_row(
            table,
            r["name"],
            "" if r["current"] is None else f"{r['current']:g}",
            f"{r['target']:g} {r['unit']}",
            r["due"] or "",
            "" if r["progress"] is None else f"{r['progress']}%",
        )
    console.print(table)


@app.command()
def matrix(out: Path = typer.Option(..., "--out", help="The picture to write: FILE.svg or FILE.png.")) -> None:
    """The stakeholder matrix (influence x interest) of the logbook's partners, as a picture."""
    from outreach.services.workspace import matrix as drawing

    kind = out.suffix.lower().lstrip(".")
    if kind not in ("svg", "png"):
        raise InvalidInput([Problem("(command line)", None, "--out", "name a .svg or a .png file")])
    with logbook() as uow:
        partners, unplaced = drawing.placed(uow.session)
    out.write_bytes(drawing.draw(partners, kind))
    console.print(
        f"{len(partners)} partners placed in {out}"
        + (
            f"; {unplaced} without influence and interest (set them in the logbook, 1 to 5 or low/medium/high)"
            if unplaced
            else ""
        ),
        markup=False,
    )


@app.command()
def show(
    ref: str = typer.Argument(..., help="The partner's id or a contact's email."),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One partner: its details, contacts and timeline."""
    from outreach.services.workspace.times import zone_for

    with logbook() as uow:
        partner = service.find_partner(uow.session, ref)
        detail, zone = partner_detail(partner), zone_for(uow.session, partner_id=partner.id)
    if json_:
        print_json(detail)
        return
    _print_detail(detail, zone)


def _print_detail(detail: dict, zone: str) -> None:
    from outreach.services.workspace.times import local

    console.print(
        f"[bold]{escape(detail['name'])}[/bold] (#{detail['id']}): phase {detail['phase']}, {detail['status']}"
    )
    for label in ("country", "region", "website", "mail_domain", "source", "focus_area", "notes"):
        if detail[label]:
            console.print(f"  {label}: {detail[label]}", markup=False)
    if detail["partnership_types"]:
        console.print(f"  partnership types: {', '.join(detail['partnership_types'])}")
    contacts = Table("contact", "role", "email", "language", "register", "status", title="contacts")
    for c in detail["contacts"]:
        add_row(
            contacts,
            c["name"] or "",
            c["role"] or "",
            c["email"],
            c["language"] or "",
            c["register"] or "",
            c["status"],
        )
    console.print(contacts)
    timeline = Table(f"when ({zone})", "what", "details", title="timeline")
    for event in detail["timeline"]:
        if event["event"] == "phase":
            what = f"phase {event['from'] or '-'} -> {event['to']}"
            details = f"{event['reason']} ({event['by']})"
        else:
            what = f"{event['event']} {event['direction']}" + (" (history)" if event.get("history") else "")
            details = event["subject"] or ""
        add_row(timeline, local(event["at"], zone), what, details)
    console.print(timeline)


def _phase(text: str) -> Phase:
    try:
        return Phase.parse(text)
    except ValueError as error:
        raise InvalidInput([Problem("phase", None, text, str(error))]) from None


@app.command()
def advance(
    ref: str = typer.Argument(..., help="The partner's id or a contact's email."),
    phase: str = typer.Argument(..., help="scouting, first_contact, proposal, collaboration_setup or maintenance."),
    reason: str = typer.Option(..., "--reason", help="Why: kept in the phase history."),
    by: str = typer.Option(None, help="Who moves it (default: your user name)."),
    mou: Path = typer.Option(
        None, "--mou", help="collaboration_setup: where to write the MoU / LoI draft (.md, or .docx for Word)."
    ),
    valid_from: str = typer.Option(None, "--valid-from", help="MoU start date (default: today)."),
    valid_to: str = typer.Option(None, "--valid-to", help="MoU end date (default: open-ended)."),
    campaign: str = typer.Option(
        None, "--campaign", help="The campaign whose mailbox sends check-ins (default: latest)."
    ),
) -> None:
    """Move a partner to another phase by hand; the move is kept in its history.

    Moving to collaboration_setup writes the MoU / Letter of Intent draft from the guide's
    template; moving to maintenance schedules the quarterly check-in mails.
    """
    from datetime import date

    from outreach.db.types import utcnow
    from outreach.services.meetings import collaboration as lifecycle
    from outreach.services.meetings import invitations as meetings

    target = _phase(phase)
    with logbook() as uow:
        move = service.advance(uow.session, ref, target, reason, by or actor_name())
        partner = service.find_partner(uow.session, ref)
        notes = []
        try:
            row = (
                meetings.campaign_for(uow.session, partner, campaign)
                if target in (Phase.COLLABORATION_SETUP, Phase.MAINTENANCE)
                else None
            )
        except NotFound as error:
            row = None
            notes.append(f"no MoU draft or check-ins: {error}")
        if target is Phase.COLLABORATION_SETUP and row is not None:
            settings = settings_of(row)
            text = lifecycle.mou_draft(
                settings, renderer_for(settings), partner, _date(valid_from) or date.today(), _date(valid_to)
            )
            path = mou or Path(f"mou-{partner.id}.md")
            if path.suffix.lower() == ".docx":  # for partners who edit and sign Word files
                from outreach.adapters.docx_writer import as_docx

                title = f"MoU {settings.institution.name} - {partner.name}"
                path.write_bytes(as_docx(text, title, _document_language(settings, partner, "mou/mou")))
            else:
                path.write_text(text, encoding="utf-8")
            notes.append(f"MoU / Letter of Intent draft written to {path}")
        changed = lifecycle.phase_changed(uow.session, partner, target, row, utcnow(), notes)
        uow.commit()
        for meeting in changed:  # a check-in series invited, or cancelled on leaving maintenance
            meetings.deliver(uow, meeting, utcnow())
    console.print(
        f"moved from {move.from_phase.value if move.from_phase else '-'} to {move.to_phase.value}: {move.reason}"
    )
    for note in notes:
        console.print(note)


def _date(text: str | None):
    from datetime import date

    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput([Problem("date", None, text, "write a date as YYYY-MM-DD")]) from None


@app.command()
def note(
    ref: str = typer.Argument(..., help="The partner's id or a contact's email."),
    text: str = typer.Argument(..., help="The note (what was said on the phone, at a fair, ...)."),
) -> None:
    """Add a note to a partner's timeline, with who wrote it."""
    from outreach.db.types import utcnow
    from outreach.services.outbound.partner_work import add_note

    with logbook() as uow:
        partner = service.find_partner(uow.session, ref)
        add_note(uow.session, partner, text, actor_name(), utcnow())
        uow.commit()
    console.print(f"note added to {partner.name}", markup=False)


@app.command()
def mail(
    ref: str = typer.Argument(..., help="The partner's id or a contact's email."),
    template: str = typer.Option(None, "--template", help="A template (follow_up, later, check_in, ...)."),
    text: Path = typer.Option(None, "--text", help="A file with your own words: the first line is the subject."),
    to: str = typer.Option(
        None,
        "--to",
        help="The contact to write to (default: the one the reference names, "
        "else the partner's first reachable contact).",
    ),
    attach: Path = typer.Option(None, "--attach", help="A document to attach (a proposal, an MoU draft)."),
) -> None:
    """Send a one-off mail through the outbox (same pacing, at-most-once, threaded to the
    conversation); `outreach run` or the worker sends it with the next round."""
    from outreach.db.types import utcnow
    from outreach.services.outbound.partner_work import one_off_mail

    if (template is None) == (text is None):
        raise InvalidInput([Problem("(command line)", None, "--template/--text", "give one of --template or --text")])
    subject = body = None
    if text is not None:
        subject, _, body = text.read_text(encoding="utf-8").partition("\n")
    with logbook() as uow:
        partner = service.find_partner(uow.session, ref)
        wanted = (to or (ref if "@" in ref else "")).strip().lower()
        contact = next((c for c in partner.contacts if c.email == wanted), None) if wanted else None
        if wanted and contact is None:
            raise NotFound(f"{wanted} is not a contact of {partner.name}")
        step = one_off_mail(uow.session, partner, actor_name(), utcnow(), contact, template, subject, body, attach)
        uow.commit()
        console.print(
            f"mail to {step.contact.email} queued (step {step.id}); it goes out with the next round", markup=False
        )


@app.command()
def pause(
    ref: str = typer.Argument(..., help="The partner's id or a contact's email."),
    until: str = typer.Option(
        None, "--until", help="YYYY-MM-DD: their mail waits until then (default: until resumed)."
    ),
) -> None:
    """Hold a partner's scheduled mail, until a date or until `partners resume`."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from outreach.services.outbound import campaign_control
    from outreach.services.workspace.times import zone_for

    day = _date(until)
    with logbook() as uow:
        partner = service.find_partner(uow.session, ref)
        zone = zone_for(uow.session, partner_id=partner.id)  # the day begins where the campaign is
        moment = datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC) if day else None
        count = campaign_control.hold_partner(uow.session, partner.id, moment)
        uow.commit()
    console.print(
        f"{count} scheduled message{'s' if count != 1 else ''} of {partner.name} "
        + (
            f"wait until {day} ({zone}); `outreach partners resume` gives them back their dates"
            if day
            else "held until `outreach partners resume`"
        ),
        markup=False,
    )


@app.command()
def resume(ref: str = typer.Argument(..., help="The partner's id or a contact's email.")) -> None:
    """Send a partner's held or paused mail again (held after a server refused our mail, or by
    `partners pause`): paused mail gets back the date it had."""
    from outreach.db.types import utcnow

    with logbook() as uow:
        count = service.resume(uow.session, ref, utcnow())
        uow.commit()
    console.print(f"{count} held or paused message{'s' if count != 1 else ''} scheduled again")


@app.command()
def forget(
    email: str = typer.Argument(..., help="The person's email address."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    delete_copies: bool = typer.Option(
        False, "--mailbox", help="Also delete our copies in the mailbox's Sent folder over IMAP."
    ),
) -> None:
    """Right to erasure: remove a person's data everywhere; keep only what stops mailing them again."""
    from outreach.services.partners.erasure import scrub_database_file

    if not yes:
        typer.confirm(f"Remove every personal record of {email}? This cannot be undone", abort=True)
    with logbook() as uow:
        settings = _mailbox_settings(uow.session, email)
        result = erasure.forget(uow.session, email)
        audit.record(
            uow.session,
            actor=audit.cli_actor(),
            action="erasure",
            source="cli",
            subject=f"contact {email_hash(result.email)[:16]}",
            detail=f"a contact of {result.partner_name}" if result.partner_name else "",
            now=utcnow(),
        )
        uow.commit()
        scrub_database_file(uow.session.get_bind())
    for path in result.raw_files:
        Path(path).unlink(missing_ok=True)
    console.print(
        f"forgotten: {result.email}"
        + (
            f" (contact at {result.partner_name}, {result.interactions_removed} interactions removed)"
            if result.partner_name
            else ""
        )
        + "; a one-way hash stays on the suppression list so they are never mailed again",
        markup=False,
    )
    for mailbox in settings:
        if delete_copies:
            _delete_sent_copies(mailbox, result.email)
        else:
            console.print(
                f"Copies of our mail to {result.email} remain in the Sent folder of {mailbox.address}: "
                "delete them there, or run again with --mailbox.",
                markup=False,
            )


def _mailbox_settings(session, email: str):
    """The mailboxes that wrote to the person, from their campaigns' settings."""
    from outreach.db.models import Campaign, Contact, Step

    ids = (
        sa.select(Step.campaign_id)
        .join(Contact, Step.contact_id == Contact.id)
        .where(Contact.email == email.strip().lower())
    )
    mailboxes = [settings_of(row).mailbox for row in session.scalars(sa.select(Campaign).where(Campaign.id.in_(ids)))]
    return list({mailbox.address: mailbox for mailbox in mailboxes}.values())


def _delete_sent_copies(mailbox, email: str) -> None:
    from outreach.mail import imap
    from outreach.mail.secrets import SecretError
    from outreach.mail.smtp import DeliveryError

    try:
        client = imap.connect(mailbox.imap, mailbox.auth)
        try:
            count = imap.delete_sent_to(client, mailbox.imap.sent_folder, email)
        finally:
            client.logout()
    except (DeliveryError, SecretError, OSError) as error:
        console.print(
            f"Could not delete the copies in {mailbox.address}/{mailbox.imap.sent_folder}: {error}; delete them there.",
            markup=False,
        )
        return
    console.print(f"deleted {count} copies from {mailbox.address}/{mailbox.imap.sent_folder}", markup=False)


def _document_language(settings, partner, stem: str) -> str:
    """The language a partner's document is drafted in (its first contact's, where the template
    exists), as the Word file declares it: "de-DE"."""
    from outreach.domain.context import message_language
    from outreach.domain.language import language_tag

    contact = next(iter(service.snapshot(partner, trusted=True).contacts), None)
    wanted = message_language(settings, contact) if contact else settings.message.language
    return language_tag(renderer_for(settings).in_language(stem, wanted).rsplit(".", 2)[-2])
