"""Staff to-dos: what needs a person (a rejection of our mail, a message that could not be
processed, a report or answer that did not prove it concerns the partner it names)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach.db.models import Todo


class TodoKind(StrEnum):
    REJECTED = "rejected"  # a server refused our mail (spam, policy, size, other)
    UNPROVEN = "unproven"  # names a partner without proving it answers our mail
    CHALLENGE = "challenge"  # a challenge-response check wants us to verify
    FAILED_INBOUND = "failed_inbound"  # a message that could not be processed
    MAILBOX = "mailbox"  # our mailbox cannot log in (a missing or failing secret)
    QUESTION = "question"  # a partner asks before committing: answer it
    LATER = "later"  # a partner said "not now": a follow-up is scheduled for then
    INTRODUCTION = "introduction"  # a partner points to a colleague: write to them
    UNCLEAR = "unclear"  # a reply whose meaning a person should judge
    REPLY = "reply"  # a partner replied and no invitation answered them: write back
    COUNTER = "counter"  # a partner proposes another time for the meeting: move it, or answer
    OUTCOME = "outcome"  # a meeting took place: record what was agreed (the next-steps mail waits)
    APPROVE = "approve"  # the next-steps mail is drafted from the outcome: read and approve it
    CALENDAR = "calendar"  # the staff calendar (CalDAV) could not be updated
    MEETING_TIME = "meeting_time"  # no hour of ours lies in the partner's working hours: agree one with them
    MEETING_NOT_SENT = "meeting_not_sent"  # the mailbox could not send a meeting's mail: send it again
    OPPORTUNITY = "opportunity"  # a partnership shows a new opportunity: scale up, new funding, ...
    UNREADABLE_ANSWER = "unreadable_answer"  # a calendar answer whose values are broken: read it, record it by hand
    # Mail whose From could not be proved (outreach.inbound.trust); staff confirm it with `outreach todo confirm`.
    UNPROVED_OPT_OUT = "unproved_opt_out"  # an opt-out or complaint: the contact's mail is held meanwhile
    UNPROVED_SENDER = "unproved_sender"  # someone at a partner who is not a contact: add them?
    UNPROVED_MESSAGE = "unproved_message"  # a contact's mail that names none of ours: act on it?
    HISTORY = "history"  # mail from before our first message, acted on all the same (an old opt-out)
    # A reply the product is not sure of: a person decides what it means (`outreach replies decide`).
    REVIEW_REPLY = "review_reply"


CONFIRMABLE = (TodoKind.UNPROVED_OPT_OUT, TodoKind.UNPROVED_SENDER, TodoKind.UNPROVED_MESSAGE)
TODO_ID = "{todo-id}"  # in a to-do's text: replaced by the to-do's own id once it has one


def raise_todo(
    session: Session,
    kind: TodoKind,
    text: str,
    now: datetime,
    partner_id: int | None = None,
    inbound_id: int | None = None,
    about: str | None = None,
) -> Todo:
    """One open to-do per kind and inbound message (or per kind and what it is `about`, or else
    per kind and text): raising it again, from any worker at the same moment, changes nothing,
    so staff are told once. The key is unique while the to-do is open and cleared when it is closed."""
    key = open_key(kind, about if about is not None else text) if inbound_id is None else f"{kind.value}:{inbound_id}"
    existing = session.scalar(sa.select(Todo).where(Todo.open_key == key))
    if existing is not None:
        return existing
    todo = Todo(
        kind=kind.value, open_key=key, text=text[:4000], created_at=now, partner_id=partner_id, inbound_id=inbound_id
    )
    try:
        with session.begin_nested():
            session.add(todo)
    except IntegrityError:  # raised by another worker just now
        return session.scalars(sa.select(Todo).where(Todo.open_key == key)).one()
    if TODO_ID in todo.text:
        todo.text = todo.text.replace(TODO_ID, str(todo.id))
    return todo


def open_key(kind: TodoKind, about: str) -> str:
    return f"{kind.value}:{hashlib.sha256(about.encode()).hexdigest()[:40]}"


def close_open(session: Session, kind: TodoKind, about: str, reason: str, now: datetime) -> Todo | None:
    """Close the open to-do of this kind about this (raised with `about`), if there is one."""
    todo = session.scalar(sa.select(Todo).where(Todo.open_key == open_key(kind, about)))
    if todo is not None:
        todo.done_at, todo.done_reason, todo.open_key = now, reason, None
    return todo


ANSWERED_BY_A_REPLY = (TodoKind.QUESTION, TodoKind.UNCLEAR, TodoKind.INTRODUCTION, TodoKind.REPLY, TodoKind.COUNTER)


def answered(session: Session, partner_id: int, reason: str, now: datetime, by: str | None = None) -> int:
    """Staff wrote to the partner (or moved it on): the to-dos that asked for an answer are done."""
    todos = session.scalars(
        sa.select(Todo).where(
            Todo.partner_id == partner_id, Todo.done_at.is_(None), Todo.kind.in_([k.value for k in ANSWERED_BY_A_REPLY])
        )
    ).all()
    for todo in todos:
        todo.done_at, todo.done_reason, todo.open_key, todo.done_by = now, reason, None, by
    return len(todos)


def open_todos(session: Session) -> list[Todo]:
    return list(session.scalars(sa.select(Todo).where(Todo.done_at.is_(None)).order_by(Todo.created_at, Todo.id)))


def close(session: Session, todo_id: int, reason: str, now: datetime, by: str | None = None) -> Todo | None:
    todo = session.get(Todo, todo_id)
    if todo is not None and todo.done_at is None:
        todo.done_at, todo.done_reason, todo.open_key, todo.done_by = now, reason, None, by
    return todo
