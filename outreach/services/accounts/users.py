"""Accounts of the web workspace: who may log in, with which role. Passwords are kept as
argon2 hashes (argon2-cffi) and never logged; a hash made with older parameters is renewed at
the next login."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import available_timezones

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from outreach.db.models import User
from outreach.domain.records import _email
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.services.accounts import web_sessions

MIN_PASSWORD = 10
_hasher = PasswordHasher()


class Role(StrEnum):
    ADMIN = "admin"  # everything, and the accounts
    OFFICER = "officer"  # works with partners and campaigns
    VIEWER = "viewer"  # reads; changes nothing

    @property
    def may_change(self) -> bool:
        return self is not Role.VIEWER


def _address(email: str) -> str:
    try:
        return _email(email.strip())
    except ValueError as error:
        raise InvalidInput([Problem("user", None, "email", str(error))]) from None


def _checked(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput([Problem("user", None, "password", f"use at least {MIN_PASSWORD} characters")])
    return password


def add(session: Session, email: str, role: Role, password: str, now: datetime) -> User:
    address = _address(email)
    _checked(password)
    if session.scalar(sa.select(User).where(User.email == address)) is not None:
        raise InvalidInput([Problem("user", None, "email", f"{address} has an account already")])
    user = User(email=address, role=role.value, password_hash=_hasher.hash(password), created_at=now)
    session.add(user)
    session.flush()
    return user


def find(session: Session, email: str) -> User:
    user = session.scalar(sa.select(User).where(User.email == _address(email)))
    if user is None:
        raise NotFound(f"no account {email}; `outreach users list` shows them")
    return user


def remove(session: Session, email: str) -> None:
    """The account and, at once, every session of it."""
    user = find(session, email)
    web_sessions.end_for_user(session, user.id)
    session.delete(user)


def set_password(session: Session, email: str, password: str) -> User:
    """A new password; every session of the account ends (log in again with the new one)."""
    user = find(session, email)
    user.password_hash = _hasher.hash(_checked(password))
    web_sessions.end_for_user(session, user.id)
    return user


def change_own_password(session: Session, user_id: int, current: str, new: str, repeated: str) -> User:
    """From the workspace: the current password proves it is the person at the keyboard."""
    user = session.get(User, user_id)
    if user is None or not _matches(user, current):
        raise InvalidInput([Problem("password", None, "current", "that is not your current password")])
    if new != repeated:
        raise InvalidInput([Problem("password", None, "repeated", "the two new passwords differ")])
    return set_password(session, user.email, new)


def set_own_timezone(session: Session, user_id: int, zone: str) -> User:
    """The zone the person reads the workspace's times in; empty: the campaign's."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("this account no longer exists")
    zone = zone.strip()
    if zone and not known_zone(zone):
        raise InvalidInput(
            [
                Problem(
                    "account",
                    None,
                    "timezone",
                    f"{zone!r} is no time zone this server knows: pick one from the list, e.g. Europe/Berlin",
                )
            ]
        )
    user.timezone = zone or None
    return user


# The zones a person may read times in: the tz database's places (no "Factory", "localtime",
# "posix/..." or "Etc/..." aliases that name no place).
ZONES = sorted(
    z
    for z in available_timezones()
    if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/", "US/", "Canada/", "Brazil/", "Mexico/"))
)


def known_zone(zone: str) -> bool:
    return zone in ZONES


def set_role(session: Session, email: str, role: Role) -> User:
    """Takes effect at the account's next request: the role is read from here every time."""
    user = find(session, email)
    user.role = role.value
    return user


def all_users(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).order_by(User.email)))


def authenticate(session: Session, email: str, password: str, now: datetime) -> User | None:
    """The user whose password this is, else None (the same answer for an unknown address)."""
    try:
        address = _email(email.strip())
    except ValueError:
        return None
    user = session.scalar(sa.select(User).where(User.email == address))
    if user is None:
        _hasher.hash(password)  # the same work either way: the answer's time tells nothing
        return None
    if not _matches(user, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    return user


def _matches(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
