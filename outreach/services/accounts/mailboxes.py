"""The administrator's registry of mailboxes: each one's servers and its one secret source, its
health (the last login test), and who may see what of it. How a campaign's mailbox is resolved
from it at run time: outreach.settings.mailboxes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.campaign.model import Mailbox
from outreach.db.models import Campaign, RegisteredMailbox
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.mail.login_check import check_mailbox
from outreach.settings.mailboxes import find, mailbox_of


def get(session: Session, address: str) -> RegisteredMailbox:
    row = find(session, address)
    if row is None:
        raise NotFound(f"no mailbox {address} is registered; `outreach mailboxes list` shows those there are")
    return row


def all_mailboxes(session: Session) -> list[RegisteredMailbox]:
    return list(session.scalars(sa.select(RegisteredMailbox).order_by(RegisteredMailbox.address)))


def add(
    session: Session, mailbox: Mailbox, now: datetime, authserv_id: str | list[str] | None = None, replace: bool = False
) -> RegisteredMailbox:
    """Register a mailbox (or, with `replace`, change one); its health starts untested."""
    row = find(session, mailbox.address)
    if row is not None and not replace:
        raise InvalidInput(
            [
                Problem(
                    "mailbox", None, "address", f"{mailbox.address} is registered already; give --replace to change it"
                )
            ]
        )
    if row is None:
        row = RegisteredMailbox(address=mailbox.address, created_at=now)
        session.add(row)
    kind, source = mailbox.auth.source
    row.display_name, row.reply_to, row.plus_addressing = (
        mailbox.display_name,
        mailbox.reply_to,
        mailbox.plus_addressing,
    )
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
        raise InvalidInput(
            [
                Problem(
                    "mailbox",
                    None,
                    "address",
                    f"{row.address} is named by the campaigns "
                    f"{', '.join(users)}; their mail would wait until it is registered again. "
                    "Give --force to remove it anyway",
                )
            ]
        )
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


def secret_label(row: RegisteredMailbox) -> str:
    """Where the secret comes from, for the administrator: the kind and its name, never the value;
    of a command only the program (its arguments may hold secrets)."""
    if row.secret_kind == "oauth2_token_command":
        words = row.secret_source.split()
        return f"oauth2_token_command ({Path(words[0]).name if words else '?'} ...)"
    return f"{row.secret_kind} {row.secret_source}"


def test(
    uow: Callable[[], AbstractContextManager], address: str, now: Callable[[], datetime], timeout: float = 15
) -> tuple[bool, list]:
    """Log in to the mailbox's SMTP and IMAP servers (mail/login_check.py) and keep the result as
    its health. No transaction stays open while the servers are asked."""
    with uow() as unit:
        mailbox = mailbox_of(get(unit.session, address))
    checks = check_mailbox(mailbox, timeout)
    ok = all(check.ok for check in checks)
    with uow() as unit:
        record_test(unit.session, mailbox.address, ok, "\n".join(map(str, checks)), now())
        unit.commit()
    return ok, checks


SECRET_WORDS = {
    "password_env": "a password from an environment variable",
    "password_file": "a password from a file",
    "oauth2_token_env": "an OAuth2 token from an environment variable",
    "oauth2_token_file": "an OAuth2 token from a file",
    "oauth2_token_command": "an OAuth2 token from a command",
}


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
            seen = Shown(
                row.address,
                row.display_name,
                health,
                row.tested_at,
                f"{smtp['host']}:{smtp['port']} ({smtp['security']})",
                f"{imap['host']}:{imap['port']} ({imap['security']}), folders {imap['inbox']} and "
                f"{imap['sent_folder']}",
                f"{row.username} with {SECRET_WORDS[row.secret_kind]}",
                tuple(users.get(row.address, [])),
                row.test_result,
            )
        found.append(seen)
    return found


def _names_only(mailbox) -> bool:
    return isinstance(mailbox, dict) and set(mailbox) == {"address"}
