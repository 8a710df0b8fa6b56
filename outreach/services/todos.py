"""Staff to-dos: what needs a person (a rejection of our mail, a message that could not be
processed, a report or answer that did not prove it concerns the partner it names)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Todo


class TodoKind(StrEnum):
    REJECTED = "rejected"            # a server refused our mail (spam, policy, size, other)
    UNPROVEN = "unproven"            # names a partner without proving it answers our mail
    CHALLENGE = "challenge"          # a challenge-response check wants us to verify
    FAILED_INBOUND = "failed_inbound"  # a message that could not be processed


def raise_todo(session: Session, kind: TodoKind, text: str, now: datetime, partner_id: int | None = None,
               inbound_id: int | None = None) -> Todo:
    """One open to-do per kind and inbound message: raising it again changes nothing."""
    if inbound_id is not None:
        existing = session.scalar(sa.select(Todo).where(Todo.kind == kind.value, Todo.inbound_id == inbound_id,
                                                        Todo.done_at.is_(None)))
        if existing is not None:
            return existing
    todo = Todo(kind=kind.value, text=text[:4000], created_at=now, partner_id=partner_id, inbound_id=inbound_id)
    session.add(todo)
    session.flush()
    return todo


def open_todos(session: Session) -> list[Todo]:
    return list(session.scalars(sa.select(Todo).where(Todo.done_at.is_(None)).order_by(Todo.created_at, Todo.id)))


def close(session: Session, todo_id: int, reason: str, now: datetime) -> Todo | None:
    todo = session.get(Todo, todo_id)
    if todo is not None and todo.done_at is None:
        todo.done_at, todo.done_reason = now, reason
    return todo
