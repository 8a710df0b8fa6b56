"""A campaign's mailbox as the administrator registered it. A campaign names its mailbox by
address; the registry supplies the rest when the campaign is queued and every time its settings
are read at run time, so a changed password or server applies at once. A campaign uploaded
through the workspace never uses servers, secret sources or commands of its own: where its
settings are resolved, such credentials are refused (they raise before anything is read or run),
whatever its stored settings say. The registry itself is kept by outreach.services.accounts.mailboxes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from outreach.campaign.model import CampaignFile, Credentials, ImapServer, Mailbox, NamedMailbox, Security, Server
from outreach.campaign.uploaded import MAILBOX_BY_ADDRESS, NO_SECRETS, Origin
from outreach.db.models import RegisteredMailbox
from outreach.errors import InvalidInput, Problem
from outreach.mail.secrets import refuse

ADD_HINT = "the administrator registers mailboxes with `outreach mailboxes add`"


def find(session: Session, address: str) -> RegisteredMailbox | None:
    with session.no_autoflush:
        return session.get(RegisteredMailbox, address.strip().lower())


def authserv_ids(session: Session, address: str) -> list[str]:
    """The ids the mailbox's receiving server writes in Authentication-Results (RFC 8601)."""
    row = find(session, address)
    value = row.authserv_id if row is not None else None
    return [value] if isinstance(value, str) else list(value or [])


def mailbox_of(row: RegisteredMailbox) -> Mailbox:
    """The registered mailbox as the campaign file's model has it: the send and watch paths
    take it as they take a mailbox written in a campaign file."""
    return Mailbox(
        address=row.address,
        display_name=row.display_name,
        reply_to=row.reply_to,
        plus_addressing=row.plus_addressing,
        smtp=Server.model_validate(row.smtp),
        imap=ImapServer.model_validate(row.imap),
        auth=Credentials.model_validate({"username": row.username, row.secret_kind: row.secret_source}),
        authserv_id=row.authserv_id,
    )


def resolved(session: Session, settings: CampaignFile, origin: Origin) -> CampaignFile:
    """The campaign's settings with the mailbox it sends from and watches: the registered one
    when it names one by address; its own when written out in full, from the command line only.
    Nothing here reads a secret: refused credentials raise when (and if) they are used."""
    mailbox = settings.mailbox
    if isinstance(mailbox, NamedMailbox):
        row = find(session, mailbox.address)
        mailbox = mailbox_of(row) if row is not None else unavailable(mailbox.address)
    elif origin is Origin.WEB:
        mailbox = mailbox.model_copy(
            update={
                "auth": refuse(
                    mailbox.auth,
                    f"the campaign {settings.name} was uploaded through the workspace: {MAILBOX_BY_ADDRESS}",
                )
            }
        )
    updates: dict[str, Any] = {"mailbox": mailbox}
    calendar = settings.meeting.staff_calendar
    if origin is Origin.WEB and calendar is not None and calendar.auth is not None:
        calendar = calendar.model_copy(
            update={
                "auth": refuse(
                    calendar.auth, f"the campaign {settings.name} was uploaded through the workspace: {NO_SECRETS}"
                )
            }
        )
        updates["meeting"] = settings.meeting.model_copy(update={"staff_calendar": calendar})
    return settings.model_copy(update=updates)


def sending(settings: CampaignFile) -> Mailbox:
    """The mailbox a resolved campaign sends from (settings_of resolves a named one)."""
    mailbox = settings.mailbox
    assert isinstance(mailbox, Mailbox), "a campaign's settings are resolved before they send"
    return mailbox


def stamp(session: Session, settings: CampaignFile) -> tuple[Any, ...] | None:
    """What the resolved settings depend on in the registry (for caching them)."""
    if not isinstance(settings.mailbox, NamedMailbox):
        return None
    row = find(session, settings.mailbox.address)
    return (settings.mailbox.address, row.updated_at if row is not None else None)


def unavailable(address: str) -> Mailbox:
    """A named mailbox that is not (or no longer) registered. Its credentials refuse, before any
    connection, saying so: its mail waits and staff get a to-do. Its servers lie under the
    reserved name `.invalid` (RFC 2606): nothing is ever reached there."""
    nowhere: dict[str, Any] = {"host": "not-registered.invalid", "port": 1, "security": Security.NONE}
    auth = refuse(
        Credentials(username=address, password_env="OUTREACH_NOT_REGISTERED"),
        f"the mailbox {address} is not registered: {ADD_HINT}",
    )
    return Mailbox(address=address, display_name=address, smtp=Server(**nowhere), imap=ImapServer(**nowhere), auth=auth)


def check_queueable(session: Session, settings: CampaignFile, origin: Origin, source: str) -> None:
    """Before a campaign is queued: a named mailbox must be registered; an uploaded campaign
    may hold nothing beyond what campaign/uploaded.py allows (checked again on the model)."""
    problems = []
    mailbox = settings.mailbox
    if isinstance(mailbox, NamedMailbox) and find(session, mailbox.address) is None:
        problems.append(Problem(source, None, "mailbox", f"no mailbox {mailbox.address} is registered; {ADD_HINT}"))
    if origin is Origin.WEB:
        if not isinstance(mailbox, NamedMailbox):
            problems.append(Problem(source, None, "mailbox", MAILBOX_BY_ADDRESS))
        calendar = settings.meeting.staff_calendar
        if calendar is not None and calendar.auth is not None:
            problems.append(Problem(source, None, "meeting.staff_calendar.auth", NO_SECRETS))
    if problems:
        raise InvalidInput(problems)
