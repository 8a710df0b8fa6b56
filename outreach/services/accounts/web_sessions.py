"""Sessions of the web workspace, kept on the server. The browser holds a random token; the
table holds its SHA-256, the account, when it began, when it was last used and from where.
A session ends when its row goes: at logout, when the password changes, when the account is
removed, when the signing key is rotated, after the idle timeout or the absolute lifetime.
The role is read from the account on every request, never from the browser."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import User, WebSession
from outreach.errors import OutreachError

IDLE_HOURS, MAX_DAYS = 8.0, 7.0
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


class SessionSettingsError(OutreachError):
    exit_code = 2


@dataclass(frozen=True)
class Lifetime:
    idle: timedelta = timedelta(hours=IDLE_HOURS)
    longest: timedelta = timedelta(days=MAX_DAYS)

    @classmethod
    def of(cls, idle_hours: float | str | None = None, max_days: float | str | None = None) -> Lifetime:
        """From the options, else OUTREACH_WEB_IDLE_HOURS and OUTREACH_WEB_MAX_DAYS, else 8 h and 7 days."""
        idle = _positive(idle_hours, "OUTREACH_WEB_IDLE_HOURS", IDLE_HOURS)
        longest = _positive(max_days, "OUTREACH_WEB_MAX_DAYS", MAX_DAYS)
        return cls(timedelta(hours=idle), timedelta(days=longest))

    def expired(self, row: WebSession, now: datetime) -> bool:
        return now - row.last_seen_at > self.idle or now - row.created_at > self.longest


def _positive(given, variable: str, default: float) -> float:
    text = given if given is not None else os.environ.get(variable)
    if text is None or text == "":
        return default
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = -1
    if not 0 < value <= 10_000:
        raise SessionSettingsError(f"{variable} (or its option) must be a positive number, not {text!r}")
    return value


@dataclass(frozen=True)
class Visitor:
    """A logged-in person as one request sees them."""

    session_id: int
    user_id: int
    email: str
    role: str
    timezone: str | None = None  # the zone the person chose to read times in; None: the campaign's
    reads_in: str = "UTC"  # the zone times are shown in: their own choice, else the campaign's


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start(session: Session, user: User, client: str, now: datetime) -> str:
    """A new session for the account; the token for the cookie (not kept)."""
    token = new_token()
    session.add(
        WebSession(token_hash=token_hash(token), user_id=user.id, created_at=now, last_seen_at=now, client=client[:64])
    )
    session.flush()
    return token


def current(session: Session, token: str, now: datetime, lifetime: Lifetime) -> Visitor | None:
    """The person whose session this token is, else None; an expired session is ended."""
    found = session.execute(
        sa.select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if lifetime.expired(row, now):
        session.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return Visitor(row.id, user.id, user.email, user.role, user.timezone)


def end(session: Session, token: str) -> None:
    session.execute(sa.delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def end_for_user(session: Session, user_id: int) -> int:
    return _deleted(session, sa.delete(WebSession).where(WebSession.user_id == user_id))


def end_all(session: Session) -> int:
    return _deleted(session, sa.delete(WebSession))


def prune(session: Session, now: datetime, lifetime: Lifetime) -> int:
    """Expired sessions removed (at each login: the table stays small)."""
    return _deleted(
        session,
        sa.delete(WebSession).where(
            sa.or_(WebSession.last_seen_at < now - lifetime.idle, WebSession.created_at < now - lifetime.longest)
        ),
    )


def open_sessions(session: Session, user_id: int) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(WebSession).where(WebSession.user_id == user_id)) or 0


def _deleted(session: Session, statement: sa.Delete) -> int:
    """The rows a DELETE removed (its result is a cursor's, which knows the count)."""
    result = session.execute(statement)
    assert isinstance(result, sa.CursorResult)
    return result.rowcount or 0
