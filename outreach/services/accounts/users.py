"""Accounts of the web workspace: who may log in, with which role. Passwords are kept as
argon2 hashes (argon2-cffi) and never logged; a hash made with older parameters is renewed at
the next login."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from outreach.db.models import User
from outreach.domain.records import _email
from outreach.errors import InvalidInput, NotFound, Problem

MIN_PASSWORD = 10
_hasher = PasswordHasher()


class Role(StrEnum):
    ADMIN = "admin"      # everything, and the accounts
    OFFICER = "officer"  # works with partners and campaigns
    VIEWER = "viewer"    # reads; changes nothing

    @property
    def may_change(self) -> bool:
        return self is not Role.VIEWER


def _address(email: str) -> str:
    try:
        return _email(email.strip())
    except ValueError as error:
        raise InvalidInput([Problem("user", None, "email", str(error))]) from None


def add(session: Session, email: str, role: Role, password: str, now: datetime) -> User:
    address = _address(email)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput([Problem("user", None, "password", f"use at least {MIN_PASSWORD} characters")])
    if session.scalar(sa.select(User).where(User.email == address)) is not None:
        raise InvalidInput([Problem("user", None, "email", f"{address} has an account already")])
    user = User(email=address, role=role.value, password_hash=_hasher.hash(password), created_at=now)
    session.add(user)
    session.flush()
    return user


def remove(session: Session, email: str) -> None:
    user = session.scalar(sa.select(User).where(User.email == _address(email)))
    if user is None:
        raise NotFound(f"no account {email}; `outreach users list` shows them")
    session.delete(user)


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
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    return user
