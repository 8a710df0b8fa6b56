"""The audit log: who did what, when and from where. Logins and failed logins, logouts,
account changes, campaign uploads, exports, erasures, key rotation; any part of the product
records through `record`. An entry is added in the caller's unit of work (kept when it
commits); `record_now` keeps it even when the action itself is refused or rolled back."""

from __future__ import annotations

import os
import pwd
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import AuditEvent

ACTOR, ACTION, SUBJECT, SOURCE = 200, 40, 320, 64  # the columns' lengths
DETAIL = 2000


def record(
    session: Session, *, actor: str, action: str, subject: str = "", source: str = "", detail: str = "", now: datetime
) -> AuditEvent:
    """One entry; text from outside (an address typed at the login) is cut to the column."""
    event = AuditEvent(
        at=now,
        actor=_line(actor, ACTOR),
        action=_line(action, ACTION),
        subject=_line(subject, SUBJECT),
        source=_line(source, SOURCE),
        detail=_line(detail, DETAIL),
    )
    session.add(event)
    return event


def record_now(engine, **entry) -> None:
    """An entry in a transaction of its own (a failed login: nothing else is committed)."""
    from outreach.db.engine import UnitOfWork

    with UnitOfWork(engine) as uow:
        record(uow.session, **entry)
        uow.commit()


def recent(session: Session, limit: int = 200, action: str | None = None) -> list[AuditEvent]:
    """The newest entries first."""
    query = sa.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(max(1, limit))
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))


def actions(session: Session) -> list[str]:
    """The actions recorded so far (for a filter)."""
    return list(session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def as_dict(event: AuditEvent) -> dict:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "subject": event.subject,
        "source": event.source,
        "detail": event.detail,
    }


def cli_actor() -> str:
    """Who runs a command: the operating-system account of the process (`cli:root`), not
    what the environment claims."""
    try:
        name = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # no name for this uid (a container's random uid)
        name = f"uid {os.getuid()}"
    return f"cli:{name}"


def _line(text: str, length: int) -> str:
    """One line, no control characters, at most `length` characters."""
    cleaned = "".join(c if c.isprintable() else " " for c in str(text or ""))
    return cleaned[:length]
