"""The administrator's registry of mailboxes: each one's servers and its one secret source.

A campaign names its mailbox by address; the registry supplies the rest when the campaign is
queued and every time its settings are read at run time, so a changed password or server
applies at once. A campaign uploaded through the workspace never uses servers, secret sources
or commands of its own: where its settings are resolved, such credentials are refused (they
raise before anything is read or run), whatever its stored settings say.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.campaign.model import (
    CampaignFile, Credentials, ImapServer, Mailbox, NamedMailbox, Security, Server,
)
from outreach.campaign.uploaded import MAILBOX_BY_ADDRESS, NO_SECRETS, Origin
from outreach.db.models import Campaign, RegisteredMailbox
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.mail.secrets import refuse

ADD_HINT = "the administrator registers mailboxes with `outreach mailboxes add`"


# --- the registry ---------------------------------------------------------------------------

def find(session: Session, address: str) -> RegisteredMailbox | None:
    with session.no_autoflush:
        return session.get(RegisteredMailbox, address.strip().lower())


def get(session: Session, address: str) -> RegisteredMailbox:
    row = find(session, address)
    if row is None:
        raise NotFound(f"no mailbox {address} is registered; `outreach mailboxes list` shows those there are")
    return row


def all_mailboxes(session: Session) -> list[RegisteredMailbox]:
    return list(session.scalars(sa.select(RegisteredMailbox).order_by(RegisteredMailbox.address)))


def add(session: Session, mailbox: Mailbox, now: datetime, authserv_id: str | list[str] | None = None,
        replace: bool = False) -> RegisteredMailbox:
    """Register a mailbox (or, with `replace`, change one); its health starts untested."""
    row = find(session, mailbox.address)
    if row is not None and not replace:
        raise InvalidInput([Problem("mailbox", None, "address", f"{mailbox.address} is registered already; "
                                    "give --replace to change it")])
    if row is None:
        row = RegisteredMailbox(address=mailbox.address, created_at=now)
        session.add(row)
    kind, source = mailbox.auth.source
    row.display_name, row.reply_to, row.plus_addressing = mailbox.display_name, mailbox.reply_to, mailbox.plus_addressing
    row.smtp, row.imap = mailbox.smtp.model_dump(mode="json"), mailbox.imap.model_dump(mode="json")
    row.username, row.secret_kind, row.secret_source = mailbox.auth.username, kind, source
    row.authserv_id = authserv_id or None
    row.tested_at = row.test_ok = row.test_result = None
    row.updated_at = now
    session.flush()
    return row


def remove(session: Session, address: str, force: bool = False) -> list[str]:
    """Remove a mailbox; the campaigns that name it are returned. While any do, it stays unless
    `force`d: their mail then waits (with a to-do) until the mailbox is registered again."""
    row = get(session, address)
    users = users_of(session).get(row.address, [])
    if users and not force:
        raise InvalidInput([Problem("mailbox", None, "address", f"{row.address} is named by the campaigns "
                                    f"{', '.join(users)}; their mail would wait until it is registered again. "
                                    "Give --force to remove it anyway")])
    session.delete(row)
    session.flush()
    return users


def users_of(session: Session) -> dict[str, list[str]]:
    """The campaigns that name each registered mailbox by its address."""
    rows = session.execute(sa.select(Campaign.mailbox, Campaign.name, Campaign.settings).order_by(Campaign.name))
    found: dict[str, list[str]] = {}
    for address, name, settings in rows:
        if _names_only(settings.get("mailbox")):
            found.setdefault(address, []).append(name)
    return found


def record_test(session: Session, address: str, ok: bool, result: str, now: datetime) -> None:
    row = get(session, address)
    row.tested_at, row.test_ok, row.test_result = now, ok, result[:2000]


def authserv_ids(session: Session, address: str) -> list[str]:
    """The ids the mailbox's receiving server writes in Authentication-Results (RFC 8601)."""
    row = find(session, address)
    value = row.authserv_id if row is not None else None
    return [value] if isinstance(value, str) else list(value or [])


def mailbox_of(row: RegisteredMailbox) -> Mailbox:
    """The registered mailbox as the campaign file's model has it: the send and watch paths
    take it as they take a mailbox written in a campaign file."""
    return Mailbox(address=row.address, display_name=row.display_name, reply_to=row.reply_to,
                   plus_addressing=row.plus_addressing, smtp=Server.model_validate(row.smtp),
                   imap=ImapServer.model_validate(row.imap),
                   auth=Credentials.model_validate({"username": row.username, row.secret_kind: row.secret_source}))


def secret_label(row: RegisteredMailbox) -> str:
    """Where the secret comes from, for the administrator: the kind and its name, never the value;
    of a command only the program (its arguments may hold secrets)."""
    if row.secret_kind == "oauth2_token_command":
        words = row.secret_source.split()
        return f"oauth2_token_command ({Path(words[0]).name if words else '?'} ...)"
    return f"{row.secret_kind} {row.secret_source}"


def test(uow: Callable[[], AbstractContextManager], address: str, now: Callable[[], datetime],
         timeout: float = 15) -> tuple[bool, list]:
    """Log in to the mailbox's SMTP and IMAP servers (mail/login_check.py) and keep the result as
    its health. No transaction stays open while the servers are asked."""
    from outreach.mail.login_check import check_mailbox

    with uow() as unit:
        mailbox = mailbox_of(get(unit.session, address))
    checks = check_mailbox(mailbox, timeout)
    ok = all(check.ok for check in checks)
    with uow() as unit:
        record_test(unit.session, mailbox.address, ok, "\n".join(map(str, checks)), now())
        unit.commit()
    return ok, checks


SECRET_WORDS = {"password_env": "a password from an environment variable", "password_file": "a password from a file",
                "oauth2_token_env": "an OAuth2 token from an environment variable",
                "oauth2_token_file": "an OAuth2 token from a file", "oauth2_token_command": "an OAuth2 token from a command"}


@dataclass(frozen=True)
class Shown:
    """A mailbox as the workspace shows it. Everyone sees its name and health; the rest (servers,
    login, the kind of secret, campaigns, the last test's words) only the administrator."""

    address: str
    display_name: str
    health: str  # ok, failed, untested
    tested_at: datetime | None
    smtp: str | None = None
    imap: str | None = None
    login: str | None = None
    campaigns: tuple[str, ...] | None = None
    result: str | None = None


def shown(session: Session, administrator: bool) -> list[Shown]:
    users = users_of(session) if administrator else {}
    found = []
    for row in all_mailboxes(session):
        health = "untested" if row.test_ok is None else ("ok" if row.test_ok else "failed")
        seen = Shown(row.address, row.display_name, health, row.tested_at)
        if administrator:
            smtp, imap = row.smtp, row.imap
            seen = Shown(row.address, row.display_name, health, row.tested_at,
                         f"{smtp['host']}:{smtp['port']} ({smtp['security']})",
                         f"{imap['host']}:{imap['port']} ({imap['security']}), folders {imap['inbox']} and "
                         f"{imap['sent_folder']}", f"{row.username} with {SECRET_WORDS[row.secret_kind]}",
                         tuple(users.get(row.address, [])), row.test_result)
        found.append(seen)
    return found


# --- a campaign's mailbox, resolved ---------------------------------------------------------

def resolved(session: Session, settings: CampaignFile, origin: Origin) -> CampaignFile:
    """The campaign's settings with the mailbox it sends from and watches: the registered one
    when it names one by address; its own when written out in full, from the command line only.
    Nothing here reads a secret: refused credentials raise when (and if) they are used."""
    mailbox = settings.mailbox
    if isinstance(mailbox, NamedMailbox):
        row = find(session, mailbox.address)
        mailbox = mailbox_of(row) if row is not None else unavailable(mailbox.address)
    elif origin is Origin.WEB:
        mailbox = mailbox.model_copy(update={"auth": refuse(mailbox.auth, f"the campaign {settings.name} was "
                                                         f"uploaded through the workspace: {MAILBOX_BY_ADDRESS}")})
    updates: dict = {"mailbox": mailbox}
    calendar = settings.meeting.staff_calendar
    if origin is Origin.WEB and calendar is not None and calendar.auth is not None:
        calendar = calendar.model_copy(update={"auth": refuse(calendar.auth, f"the campaign {settings.name} was "
                                                           f"uploaded through the workspace: {NO_SECRETS}")})
        updates["meeting"] = settings.meeting.model_copy(update={"staff_calendar": calendar})
    return settings.model_copy(update=updates)


def stamp(session: Session, settings: CampaignFile) -> tuple | None:
    """What the resolved settings depend on in the registry (for caching them)."""
    if not isinstance(settings.mailbox, NamedMailbox):
        return None
    row = find(session, settings.mailbox.address)
    return (settings.mailbox.address, row.updated_at if row is not None else None)


def unavailable(address: str) -> Mailbox:
    """A named mailbox that is not (or no longer) registered. Its credentials refuse, before any
    connection, saying so: its mail waits and staff get a to-do. Its servers lie under the
    reserved name `.invalid` (RFC 2606): nothing is ever reached there."""
    nowhere = {"host": "not-registered.invalid", "port": 1, "security": Security.NONE}
    auth = refuse(Credentials(username=address, password_env="OUTREACH_NOT_REGISTERED"),
                  f"the mailbox {address} is not registered: {ADD_HINT}")
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


def _names_only(mailbox) -> bool:
    return isinstance(mailbox, dict) and set(mailbox) == {"address"}
