"""Replies put before a person: the review items (a reply the reader was not sure of, or
that the campaign does not let it act on) and a person's decision on one. A decision does
exactly what the automatic path does for that meaning (`effects.decided`), and is kept as a
label with the reply's new text (`reply_labels`), which the reader learns from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.engine import UnitOfWork
from outreach.db.models import Contact, InboundMail, ReplyLabel, Step, Todo
from outreach.domain.vocabulary import StepStatus
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.inbound.classify import classify
from outreach.inbound.intent import Intent, IntentKind
from outreach.inbound.message import InboundMessage
from outreach.services.events import Event
from outreach.services.inbound.effects import REVIEW_HOLD, Inbound, decided
from outreach.services.inbound.matching import Match
from outreach.services.partners.todos import TodoKind, close

NOT_A_REPLY = "not_a_reply"
DECISIONS = ("interested", "question", "not_now", "not_interested", "referral", NOT_A_REPLY)
SAID = {
    "interested": "invite to the meeting",
    "question": "answer them",
    "not_now": "later until {until}",
    "not_interested": "not interested",
    "referral": "hand over to {name}",
    NOT_A_REPLY: "not a reply",
}
ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


@dataclass(frozen=True)
class Decision:
    """What a person says a reply means; `until` for not_now, the colleague for referral."""

    intent: str
    until: date | None = None
    referral_email: str | None = None
    referral_name: str | None = None

    def checked(self, today: date) -> Decision:
        """The decision, or a clear error naming the field to fix."""
        intent = self.intent.strip().lower().replace("-", "_").replace(" ", "_")
        intent = {
            "later": "not_now",
            "invite": "interested",
            "answer": "question",
            "declined": "not_interested",
            "hand_over": "referral",
            "unclear": NOT_A_REPLY,
        }.get(intent, intent)
        if intent not in DECISIONS:
            raise InvalidInput(
                [
                    Problem(
                        "decision",
                        None,
                        "intent",
                        f"{self.intent!r} is not a decision: use one of {', '.join(DECISIONS)}",
                    )
                ]
            )
        if intent == "not_now" and (self.until is None or self.until <= today):
            raise InvalidInput(
                [Problem("decision", None, "until", "name the day to write again (YYYY-MM-DD), after today")]
            )
        email = (self.referral_email or "").strip().lower() or None
        if intent == "referral" and (email is None or not ADDRESS.match(email)):
            raise InvalidInput(
                [Problem("decision", None, "referral", "give the colleague's email address, e.g. name@school.example")]
            )
        name = " ".join((self.referral_name or "").split())[:200] or None
        return Decision(
            intent,
            self.until if intent == "not_now" else None,
            email if intent == "referral" else None,
            name if intent == "referral" else None,
        )

    def describe(self) -> str:
        return SAID[self.intent].format(until=self.until, name=self.referral_name or self.referral_email)


@dataclass(frozen=True)
class ReviewItem:
    id: int
    partner_id: int | None
    partner: str | None
    inbound_id: int | None
    sender: str | None
    created_at: datetime
    read_as: str
    confidence: float
    evidence: list[str]
    until: str | None
    referral_email: str | None
    referral_name: str | None
    new_text: str

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "partner_id": self.partner_id,
            "partner": self.partner,
            "inbound_id": self.inbound_id,
            "sender": self.sender,
            "since": self.created_at.isoformat(),
            "read_as": self.read_as,
            "confidence": self.confidence,
            "evidence": self.evidence,
            "until": self.until,
            "referral_email": self.referral_email,
            "referral_name": self.referral_name,
            "text": self.new_text,
        }


@dataclass(frozen=True)
class Decided:
    todo_id: int
    partner_id: int
    partner: str
    said: str
    events: tuple[Event, ...] = field(default=())


def items(session: Session) -> list[ReviewItem]:
    """The open review items, oldest first."""
    todos = session.scalars(
        sa.select(Todo)
        .where(Todo.kind == TodoKind.REVIEW_REPLY.value, Todo.done_at.is_(None))
        .order_by(Todo.created_at, Todo.id)
    )
    return [item_of(todo) for todo in todos]


def item_of(todo: Todo) -> ReviewItem:
    reading = todo.reading or {}
    return ReviewItem(
        todo.id,
        todo.partner_id,
        todo.partner.name if todo.partner else None,
        todo.inbound_id,
        reading.get("sender"),
        todo.created_at,
        str(reading.get("intent") or "unclear"),
        float(reading.get("confidence") or 0.0),
        list(reading.get("evidence") or []),
        reading.get("until"),
        reading.get("referral_email"),
        reading.get("referral_name"),
        str(reading.get("new_text") or ""),
    )


def decide(uow: UnitOfWork, todo_id: int, decision: Decision, now: datetime, by: str | None = None) -> Decided:
    """A person's decision on a review item: done as the automatic path would for that meaning,
    kept as a label, the item closed. The events are for after the commit (the invitation)."""
    session = uow.session
    todo = session.get(Todo, todo_id)
    if todo is None or todo.kind != TodoKind.REVIEW_REPLY.value or todo.done_at is not None:
        raise NotFound(f"no open review item {todo_id}; `outreach replies review` lists them")
    decision = decision.checked(now.date())
    inbound = _inbound(session, todo, now)
    held = list(
        session.scalars(
            sa.select(Step).where(
                Step.partner_id == todo.partner_id, Step.status == StepStatus.HELD, Step.last_error == REVIEW_HOLD
            )
        )
    )
    events: list[Event] = []
    if decision.intent == NOT_A_REPLY:
        for step in held:  # nothing was said: the sequence goes on
            step.status, step.last_error = StepStatus.SCHEDULED, None
    else:
        for step in held:
            step.status, step.last_error = StepStatus.CANCELLED, "the partner replied"
        events = decided(inbound, _intent(decision, todo, by))
    _label(session, todo, decision, now, by)
    close(session, todo.id, f"decided: {decision.describe()}", now, by)
    uow.commit()
    return Decided(todo_id, inbound.partner.id, inbound.partner.name, decision.describe(), tuple(events))


def _intent(decision: Decision, todo: Todo, by: str | None) -> Intent:
    return Intent(
        IntentKind(decision.intent),
        until=decision.until,
        referral_email=decision.referral_email,
        referral_name=decision.referral_name,
        referral_salutation="none" if decision.referral_name else None,
        confidence=1.0,
        acts=True,
        evidence=(f"decided by {by or 'a person'}",),
        language=(todo.reading or {}).get("language"),
    )


def _inbound(session: Session, todo: Todo, now: datetime) -> Inbound:
    """The reply as the effects see it: the kept message, its partner, the contact who wrote."""
    row = session.get(InboundMail, todo.inbound_id) if todo.inbound_id else None
    path = Path(row.raw_path) if row is not None and row.raw_path else None
    if todo.partner is None or path is None or not path.exists():
        raise InvalidInput(
            [
                Problem(
                    "review item",
                    None,
                    str(todo.id),
                    f"the message is no longer kept: act on the partner's page, then `outreach todo done {todo.id}`",
                )
            ]
        )
    assert row is not None  # its raw file is there
    message = InboundMessage.parse(path.read_bytes())
    contact = session.scalar(
        sa.select(Contact).where(Contact.partner_id == todo.partner_id, Contact.email == (message.sender or "").lower())
    )
    match = Match(todo.partner, contact, "a person's decision on the reply")
    return Inbound(session, match, message, classify(message), row, now)


def _label(session: Session, todo: Todo, decision: Decision, now: datetime, by: str | None) -> None:
    reading = todo.reading or {}
    text = str(reading.get("new_text") or "").strip()
    if not text:
        return
    session.add(
        ReplyLabel(
            inbound_id=todo.inbound_id,
            partner_id=todo.partner_id,
            text=text,
            language=reading.get("language"),
            intent="unclear" if decision.intent == NOT_A_REPLY else decision.intent,
            until=decision.until,
            referral_email=decision.referral_email,
            referral_name=decision.referral_name,
            read_as=reading.get("intent"),
            decided_by=by,
            decided_at=now,
        )
    )
