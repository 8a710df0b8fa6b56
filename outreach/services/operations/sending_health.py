"""Whether each mailbox can send, told to a person. A mailbox (by address, registered or written
in a campaign file) is working, or failing since a time with its last error in plain words.
While it fails, staff have one to-do about it (not one per retry), its mail waits without
counting attempts against anyone, and the scheduler tries one message now and then instead of
every waiting one (a server is not hammered with a wrong password). The first message that goes
out again closes the to-do."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach.campaign.model import Mailbox
from outreach.db.engine import UnitOfWork
from outreach.db.models import SendingHealth
from outreach.domain.moments import stamp
from outreach.mail.secrets import SecretError
from outreach.mail.smtp import MailboxFailure
from outreach.services.partners import todos
from outreach.services.partners.todos import TodoKind

FIRST_TRY_AGAIN = timedelta(seconds=20)
LAST_TRY_AGAIN = timedelta(minutes=10)
SETTINGS_CHANGED_WAIT = timedelta(seconds=5)  # even then, never more than a try every few seconds

# A working mailbox's last good send is kept to the minute: every worker's messages share the
# mailbox's one row, and a write on it for each message would make them wait for each other.
OK_NOTED_EVERY = timedelta(minutes=1)
_HEALTH = sa.select(SendingHealth.failing_since, SendingHealth.last_ok_at).where(
    SendingHealth.address == sa.bindparam("mailbox")
)
_STILL_WORKING = (
    sa.update(SendingHealth)
    .where(
        SendingHealth.address == sa.bindparam("mailbox"),
        SendingHealth.failing_since.is_(None),
        sa.or_(SendingHealth.last_ok_at.is_(None), SendingHealth.last_ok_at < sa.bindparam("noted_before")),
    )
    .values(last_ok_at=sa.bindparam("at"))
)

_TAKE_TURN = (
    sa.update(SendingHealth)
    .where(
        SendingHealth.address == sa.bindparam("mailbox"),
        sa.or_(SendingHealth.last_turn_at.is_(None), SendingHealth.last_turn_at <= sa.bindparam("previous")),
    )
    .values(last_turn_at=sa.bindparam("at"))
)


@dataclass(frozen=True)
class State:
    """A mailbox's sending health as pages and reports show it."""

    address: str
    working: bool
    since: datetime | None  # failing since; None while working
    error: str | None
    last_ok_at: datetime | None

    def words(self, zone: str = "UTC") -> str:
        """ "working", or "failing since TIME: ERROR" with the time in the zone."""
        if self.working:
            return "working"
        return f"failing since {stamp(self.since, zone)}: {self.error}" if self.since else "failing"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "address": self.address,
            "state": "working" if self.working else "failing",
            "since": self.since.isoformat() if self.since else None,
            "error": self.error,
            "last_ok_at": self.last_ok_at.isoformat() if self.last_ok_at else None,
        }


def settings_digest(mailbox: Mailbox) -> str:
    """Which settings a failure was seen with: the server and where the secret comes from, never
    the secret. A change (a fixed port, another secret source) is worth a try at once."""
    kind, source = mailbox.auth.source
    seen = f"{mailbox.smtp.model_dump_json()}|{mailbox.auth.username}|{kind}|{source}"
    return hashlib.sha256(seen.encode()).hexdigest()


def failed(session: Session, mailbox: Mailbox, error: str, now: datetime, zone: str = "UTC") -> SendingHealth:
    """Sending from this mailbox failed on the mailbox's side (no connection, a refused login, a
    missing secret). Failing since the first such failure; one to-do, its words kept current
    (times in `zone`, the campaign's)."""
    row = _row(session, mailbox.address)
    row.failing_since = row.failing_since or now
    row.last_error, row.last_tried_at, row.tried_with = error[:2000], now, settings_digest(mailbox)
    text = _todo_text(mailbox.address, stamp(row.failing_since, zone), error)
    todo = todos.raise_todo(session, TodoKind.MAILBOX, text, now, about=_about(mailbox.address))
    todo.text = text[:4000]
    return row


def worked(session: Session, address: str, now: datetime, zone: str = "UTC") -> None:
    """A message went out from this mailbox: it works. While it was working already (this runs
    for every message sent) one read, and a write once a minute (`OK_NOTED_EVERY`); the to-do
    closes when it had been failing."""
    rows = session.connection()
    seen = rows.execute(_HEALTH, {"mailbox": address}).first()
    if seen is not None and seen.failing_since is None:
        if seen.last_ok_at is None or seen.last_ok_at < now - OK_NOTED_EVERY:  # the first worker to see it
            rows.execute(_STILL_WORKING, {"mailbox": address, "at": now, "noted_before": now - OK_NOTED_EVERY})
        return
    row = _row(session, address)
    was_failing = row.failing_since
    row.last_ok_at, row.failing_since, row.last_error, row.last_tried_at, row.tried_with = now, None, None, None, None
    if was_failing is not None:
        todos.close_open(
            session,
            TodoKind.MAILBOX,
            _about(address),
            f"mail went out from {address} again at {stamp(now, zone)}",
            now,
        )


def take_turn(session: Session, address: str, now: datetime, pace: timedelta) -> timedelta:
    """A message of this mailbox asks to go now. Zero when it may (the turn is taken: commit it
    before sending); else how long until the mailbox's next turn. One conditional update, so the
    pace holds whatever the number of workers: of two asking at once, one gets the turn."""
    if not pace:
        return timedelta(0)
    if _turn_taken(session, address, now, pace):
        return timedelta(0)
    row = _row(session, address)  # its first message, or the turn is another's
    if row.last_turn_at is None and _turn_taken(session, address, now, pace):
        return timedelta(0)
    session.refresh(row)
    assert row.last_turn_at is not None  # taken by another worker just now
    return max(row.last_turn_at + pace - now, timedelta(0)) or pace


def _turn_taken(session: Session, address: str, now: datetime, pace: timedelta) -> bool:
    return (
        session.connection()
        .execute(
            _TAKE_TURN,
            {"mailbox": address, "at": now, "previous": now - pace},
        )
        .rowcount
        == 1
    )


def last_turn(session: Session, address: str) -> datetime | None:
    """When a worker last let a message of this mailbox go."""
    return session.scalar(sa.select(SendingHealth.last_turn_at).where(SendingHealth.address == address))


def may_try(row: SendingHealth | None, mailbox: Mailbox, now: datetime) -> bool:
    """Whether a message of this mailbox may be given a try now: always while it works; while it
    fails, once the wait since the last try is over (growing with how long it has failed, from
    20 s to 10 min), or at once when its settings changed since."""
    if row is None or row.failing_since is None or row.last_tried_at is None:
        return True
    if row.tried_with != settings_digest(mailbox) and now >= row.last_tried_at + SETTINGS_CHANGED_WAIT:
        return True
    return now >= row.last_tried_at + try_again_after(now - row.failing_since)


def try_again_after(failing_for: timedelta) -> timedelta:
    return min(max(failing_for / 4, FIRST_TRY_AGAIN), LAST_TRY_AGAIN)


def failing(session: Session) -> dict[str, SendingHealth]:
    """The failing mailboxes by address (one query: read once per scheduler tick)."""
    rows = session.scalars(sa.select(SendingHealth).where(SendingHealth.failing_since.is_not(None)))
    return {row.address: row for row in rows}


def states(session: Session, addresses: list[str] | None = None) -> dict[str, State]:
    """The health of the mailboxes that have sent or tried to (those never tried are absent)."""
    query = sa.select(SendingHealth).order_by(SendingHealth.address)
    if addresses is not None:
        query = query.where(SendingHealth.address.in_(addresses))
    return {
        row.address: State(row.address, row.failing_since is None, row.failing_since, row.last_error, row.last_ok_at)
        for row in session.scalars(query)
    }


@contextmanager
def watched(uow: UnitOfWork, mailbox: Mailbox, now: datetime, zone: str = "UTC") -> Iterator[None]:
    """A mail from this mailbox outside the step queue (an invitation, the digest, a notice to
    staff): its result tells the mailbox's health as a step's does. A failure on the mailbox's
    side is recorded (and committed) before it goes on up to the caller."""
    try:
        yield
    except SecretError as error:
        failed(uow.session, mailbox, f"its secret cannot be read: {error}", now, zone)
        uow.commit()
        raise
    except MailboxFailure as error:
        failed(uow.session, mailbox, str(error), now, zone)
        uow.commit()
        raise
    worked(uow.session, mailbox.address, now, zone)
    uow.commit()


def _row(session: Session, address: str) -> SendingHealth:
    row = session.get(SendingHealth, address)
    if row is not None:
        return row
    row = SendingHealth(address=address)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another worker added it just now
        row = session.get(SendingHealth, address, populate_existing=True)
        assert row is not None
    return row


def _about(address: str) -> str:
    return f"sending:{address.lower()}"


def _todo_text(address: str, since: str, error: str) -> str:
    return (
        f"The mailbox {address} cannot send (failing since {since}): {error}. "
        "Its mail waits and goes out once it works again; this closes itself then."
    )
