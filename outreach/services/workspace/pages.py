"""Read models of the web workspace: what the Today, Pipeline, Partner and Campaigns pages
show, as plain dataclasses, from a few queries each (the pages stay fast at 10,000 partners)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from outreach.db.models import Campaign, Contact, Interaction, Meeting, MeetingAttendee, Partner, Step, Todo
from outreach.domain.steps import PENDING, StepKind
from outreach.domain.vocabulary import (
    CLOSED_STATUSES,
    Direction,
    InteractionKind,
    PartnershipType,
    PartnerStatus,
    Phase,
    Source,
    StepStatus,
    status_text,
)
from outreach.services.workspace.status import campaign_status
from outreach.settings.campaigns import settings_of

CARDS_PER_COLUMN = 40


# --- Today ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upcoming:
    step_id: int
    partner_id: int
    partner: str
    contact: str
    what: str
    due_at: datetime
    status: str


@dataclass(frozen=True)
class Answer:
    meeting_id: int
    partner_id: int
    partner: str
    who: str
    partstat: str
    comment: str | None
    at: datetime


@dataclass(frozen=True)
class BackSoon:
    partner_id: int
    partner: str
    contact: str | None
    back_on: date


TODOS_SHOWN = 50
LISTED = 25  # at most in each of Today's other lists; the page says how many more there are


@dataclass
class Today:
    todos: list[Todo]
    todo_count: int
    answers: list[Answer]
    back: list[BackSoon]
    going_out: list[Upcoming]
    check_ins: list[Upcoming]
    uncertain: list[Upcoming]
    counts: dict[str, int] = field(default_factory=dict)  # each list's length in all

    @property
    def empty(self) -> bool:
        return not (self.todos or self.answers or self.back or self.going_out or self.check_ins or self.uncertain)

    def more(self, name: str) -> int:
        """How many of a list the page does not show."""
        return max(0, self.counts.get(name, 0) - len(getattr(self, name)))


ANSWERED = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "maybe",
    "NEEDS-ACTION": "declined; a new time was offered, not answered yet",
}


def today(session: Session, now: datetime) -> Today:
    """Each list bounded (the oldest to-dos, this week's latest answers, the first messages
    due), with how many there are in all from one statement: the page costs what it shows."""
    steps = _today_steps(now)
    answered = (MeetingAttendee.answered_at >= now - timedelta(days=7),)
    returning = (
        Interaction.kind == InteractionKind.AUTO_REPLY,
        Interaction.returns_on.between(now.date() - timedelta(days=1), now.date() + timedelta(days=7)),
    )
    counted = {
        "todos": sa.select(sa.func.count()).select_from(Todo).where(Todo.done_at.is_(None)),
        "answers": sa.select(sa.func.count()).select_from(MeetingAttendee).where(*answered),
        "back": sa.select(sa.func.count()).select_from(Interaction).where(*returning),
    } | {name: sa.select(sa.func.count()).select_from(Step).where(*where) for name, where in steps.items()}
    counts = dict(
        session.execute(sa.select(*(q.scalar_subquery().label(n) for n, q in counted.items()))).one()._mapping
    )
    return Today(
        todos=_open_todos(session),
        todo_count=counts["todos"],
        answers=_answers(session, answered),
        back=_back_soon(session, returning),
        going_out=_upcoming(session, *steps["going_out"], limit=LISTED),
        check_ins=_upcoming(session, *steps["check_ins"], limit=LISTED),
        uncertain=_upcoming(session, *steps["uncertain"], limit=LISTED),
        counts=counts,
    )


def _today_steps(now: datetime) -> dict[str, tuple]:
    horizon = datetime.combine(now.date() + timedelta(days=2), datetime.min.time(), tzinfo=now.tzinfo)
    return {
        "going_out": (Step.status.in_(PENDING), Step.due_at < horizon, Step.template != StepKind.CHECK_IN),
        "check_ins": (
            Step.status.in_(PENDING),
            Step.template == StepKind.CHECK_IN,
            Step.due_at < now + timedelta(days=14),
        ),
        "uncertain": (Step.status == StepStatus.UNCERTAIN,),
    }


def _open_todos(session: Session) -> list[Todo]:
    return list(
        session.scalars(
            sa.select(Todo)
            .options(selectinload(Todo.partner))
            .where(Todo.done_at.is_(None))
            .order_by(Todo.created_at, Todo.id)
            .limit(TODOS_SHOWN)
        )
    )


def _answers(session: Session, answered: tuple) -> list[Answer]:
    """This week's latest answers to meetings, oldest of them first."""
    rows = session.execute(
        sa.select(MeetingAttendee, Meeting)
        .join(Meeting)
        .options(selectinload(Meeting.partner))
        .where(*answered)
        .order_by(MeetingAttendee.answered_at.desc(), MeetingAttendee.id.desc())
        .limit(LISTED)
    ).all()
    return [
        Answer(
            m.id,
            m.partner_id,
            m.partner.name,
            a.name or a.email,
            ANSWERED.get(a.partstat, a.partstat.lower()),
            a.comment,
            a.answered_at,
        )
        for a, m in reversed(rows)
        if a.answered_at is not None
    ]


def _back_soon(session: Session, returning: tuple) -> list[BackSoon]:
    return [
        BackSoon(i.partner_id, i.partner.name, i.contact.email if i.contact else None, i.returns_on)
        for i in session.scalars(
            sa.select(Interaction)
            .options(selectinload(Interaction.partner), selectinload(Interaction.contact))
            .where(*returning)
            .order_by(Interaction.returns_on, Interaction.id)
            .limit(LISTED)
        )
        if i.returns_on is not None
    ]


def _upcoming(session: Session, *conditions, order_latest: bool = False, limit: int = 200) -> list[Upcoming]:
    rows = session.execute(
        sa.select(
            Step.id, Step.partner_id, Partner.name, Contact.email, Step.template, Step.name, Step.due_at, Step.status
        )
        .join(Partner, Partner.id == Step.partner_id)
        .join(Contact, Contact.id == Step.contact_id)
        .where(*conditions)
        .order_by(Step.due_at.desc() if order_latest else Step.due_at)
        .limit(limit)
    )
    return [Upcoming(r.id, r.partner_id, r.name, r.email, r.template, r.due_at, r.status.value) for r in rows]


# --- Pipeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    campaign: str | None = None
    partnership_type: str | None = None
    country: str | None = None
    source: str | None = None
    tag: str | None = None
    board: str | None = None  # None: the active board; "closed": declined, opted out, unreachable; "all"

    @classmethod
    def of(cls, query) -> Filters:
        return cls(**{name: (query.get(name) or "").strip() or None for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Card:
    partner_id: int
    name: str
    country: str | None
    contact: str | None
    last_at: datetime | None
    last_kind: str | None
    next_at: datetime | None
    next_what: str | None
    status: PartnerStatus = PartnerStatus.ACTIVE
    status_text: str = "Active"


@dataclass(frozen=True)
class Paging:
    """Which column is paged further (`?phase=proposal&page=3`); the others show their first cards."""

    phase: Phase | None = None
    page: int = 1

    @classmethod
    def of(cls, query) -> Paging:
        try:
            phase = Phase.parse(query.get("phase") or "")
            page = max(1, min(int(query.get("page") or 1), 100_000))
        except ValueError:
            return cls()
        return cls(phase, page)

    def page_of(self, phase: Phase) -> int:
        return self.page if phase == self.phase else 1


@dataclass
class Column:
    phase: Phase
    count: int
    cards: list[Card] = field(default_factory=list)
    page: int = 1

    @property
    def first(self) -> int:
        """The place of the column's first card shown, counted from 1."""
        return (self.page - 1) * CARDS_PER_COLUMN + 1

    @property
    def last(self) -> int:
        return self.first + len(self.cards) - 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // CARDS_PER_COLUMN))

    @property
    def per_page(self) -> int:
        return CARDS_PER_COLUMN


def pipeline(session: Session, filters: Filters, paging: Paging = Paging()) -> list[Column]:
    """The guide's five phases as columns: counts of all, and a page of cards each, the most
    recently active first (one query takes every column's page, each read from the index on
    phase and activity; then details for those cards only)."""
    wanted = _filtered(filters)
    counts = dict(
        session.execute(sa.select(Partner.phase, sa.func.count()).where(*wanted).group_by(Partner.phase)).all()
    )
    columns = {phase: Column(phase, counts.get(phase, 0), page=paging.page_of(phase)) for phase in Phase}
    rows = _card_rows(session, wanted, [c for c in columns.values() if c.count >= c.first])
    ids = [r.id for r in rows]
    contacts = _first_contacts(session, ids)
    kinds = _last_kinds(session, {r.id: r.last_at for r in rows if r.last_at})
    nexts = _next_steps(session, ids)
    for r in rows:
        at, what = nexts.get(r.id, (None, None))
        columns[r.phase].cards.append(
            Card(
                r.id,
                r.name,
                r.country,
                contacts.get(r.id),
                r.last_at,
                kinds.get(r.id),
                at,
                what,
                r.status,
                status_text(r.status, r.later_until),
            )
        )
    return list(columns.values())


ACTIVITY = sa.func.coalesce(Partner.last_activity_at, Partner.created_at)  # as ix_partners_phase_activity has it


def _card_rows(session: Session, wanted: list, columns: list[Column]) -> list:
    """Each column's page of partners, in one UNION ALL of a LIMIT per phase."""
    if not columns:
        return []
    pages = [
        sa.select(
            Partner.id,
            Partner.name,
            Partner.country,
            Partner.phase,
            Partner.last_activity_at.label("last_at"),
            Partner.status,
            Partner.later_until,
            ACTIVITY.label("activity"),
        )
        .where(Partner.phase == column.phase, *wanted)
        .order_by(ACTIVITY.desc(), Partner.id)
        .limit(CARDS_PER_COLUMN)
        .offset(column.first - 1)
        .subquery()
        for column in columns
    ]
    rows = session.execute(sa.union_all(*(sa.select(page) for page in pages))).all()
    return sorted(rows, key=lambda r: (-r.activity.timestamp(), r.id))  # a UNION ALL promises no order


def _filtered(filters: Filters) -> list:
    wanted: list[sa.ColumnElement[bool]] = []
    if filters.board == "closed":
        wanted.append(Partner.status.in_(CLOSED_STATUSES))
    elif filters.board != "all":  # the active board: active and "later" partners
        wanted.append(Partner.status.not_in(CLOSED_STATUSES))
    if filters.campaign:
        wanted.append(
            Partner.id.in_(sa.select(Step.partner_id).join(Campaign).where(Campaign.name == filters.campaign))
        )
    if filters.partnership_type:
        wanted.append(sa.cast(Partner.partnership_types, sa.String).like(f'%"{_plain(filters.partnership_type)}"%'))
    if filters.country:
        wanted.append(Partner.country == filters.country.upper()[:2])
    if filters.source:
        wanted.append(Partner.source == Source.parse(filters.source))
    if filters.tag:
        wanted.append(sa.cast(Partner.tags, sa.String).like(f'%"{_plain(filters.tag)}"%'))
    return wanted


def _plain(text: str) -> str:
    """A filter value without the characters LIKE and JSON give meaning to."""
    return re.sub(r'[%_"\\\\]', "", text)[:80]


def _first_contacts(session: Session, ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for partner_id, name, email in session.execute(
        sa.select(Contact.partner_id, Contact.name, Contact.email)
        .where(Contact.partner_id.in_(ids))
        .order_by(Contact.id)
    ):
        found.setdefault(partner_id, name or email)
    return found


def _last_kinds(session: Session, last: dict[int, datetime]) -> dict[int, str]:
    """What each partner's latest interaction was, read by (partner, time) from its index."""
    if not last:
        return {}
    rows = session.execute(
        sa.select(Interaction.partner_id, Interaction.kind, Interaction.direction, Interaction.occurred_at).where(
            Interaction.partner_id.in_(list(last)), Interaction.occurred_at.in_(set(last.values()))
        )
    )
    return {
        r.partner_id: f"{r.kind.label.lower()} {_from_whom(r.direction)}".strip()
        for r in rows
        if r.occurred_at == last[r.partner_id]
    }


def _from_whom(direction: Direction | None) -> str:
    return {Direction.IN: "from them", Direction.OUT: "from us"}.get(direction, "") if direction else ""


def _next_steps(session: Session, ids: list[int]) -> dict[int, tuple[datetime, str]]:
    """Each partner's next pending message: when, and which."""
    found: dict[int, tuple[datetime, str]] = {}
    for partner_id, name, due in session.execute(
        sa.select(Step.partner_id, Step.name, Step.due_at)
        .where(Step.partner_id.in_(ids), Step.status.in_(PENDING))
        .order_by(Step.due_at.desc())
    ):
        found[partner_id] = (due, name)
    return found


def filter_choices(session: Session) -> dict:
    return {
        "campaigns": list(session.scalars(sa.select(Campaign.name).order_by(Campaign.name))),
        "partnership_types": [(t.value, t.label) for t in PartnershipType],
        "countries": [c for c in session.scalars(sa.select(Partner.country).distinct().order_by(Partner.country)) if c],
        "sources": [(s.value, s.label) for s in Source],
    }


# --- Partner -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    title: str
    text: str | None
    who: str | None = None
    anchor: str | None = None

    @property
    def long(self) -> bool:
        """A mail of ours, or any long text: folded, one click away."""
        return bool(self.text and (self.kind == "email" and "from us" in self.title or len(self.text) > 600))


def partner_timeline(session: Session, partner: Partner) -> list[Event]:
    """Mail in and out with its text, notes, meetings and answers, phase changes: newest first."""
    events = [
        Event(
            i.occurred_at,
            i.kind.value,
            _interaction_title(i),
            i.text,
            i.author or (i.contact.email if i.contact else None),
            f"interaction-{i.id}",
        )
        for i in partner.interactions
    ]
    events += [
        Event(
            c.at,
            "phase",
            f"moved to {c.to_phase.label}" + (f" from {c.from_phase.label}" if c.from_phase else ""),
            c.reason,
            c.by,
        )
        for c in partner.phase_history
    ]
    for meeting in session.scalars(sa.select(Meeting).where(Meeting.partner_id == partner.id)):
        for attendee in meeting.attendees:
            if attendee.answered_at:
                events.append(
                    Event(
                        attendee.answered_at,
                        "answer",
                        f"{attendee.name or attendee.email} {attendee.partstat.lower()} the meeting",
                        attendee.comment,
                        attendee.email,
                    )
                )
    return sorted(events, key=lambda e: e.at, reverse=True)


def _interaction_title(i: Interaction) -> str:
    arrow = {Direction.IN: "from them", Direction.OUT: "from us", Direction.INTERNAL: ""}[i.direction]
    when = "(history: before our first message)" if i.history else ""
    return " ".join(part for part in (i.kind.label, arrow, when, f"· {i.subject}" if i.subject else "") if part)


def meetings_of(session: Session, partner_id: int) -> list[Meeting]:
    return list(session.scalars(sa.select(Meeting).where(Meeting.partner_id == partner_id).order_by(Meeting.start_at)))


# --- Campaigns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignPage:
    status: object  # CampaignStatus
    window: str  # when and how fast it sends
    paused_at: datetime | None
    messages: list[Upcoming]


def campaign_pages(session: Session, now: datetime) -> list[CampaignPage]:

    rows = {c.name: c for c in session.scalars(sa.select(Campaign))}
    pages = []
    for status in campaign_status(session, None, now):
        row = rows[status.name]
        sending = settings_of(row).sending
        window = (
            f"{', '.join(sending.days)} {sending.start:%H:%M}-{sending.end:%H:%M} {sending.timezone}; "
            f"at most {sending.max_per_hour} an hour and {sending.max_per_day} a day, "
            f"{sending.seconds_between_messages:g} s apart"
        )
        pages.append(
            CampaignPage(
                status,
                window,
                row.paused_at,
                _upcoming(session, Step.campaign_id == row.id, order_latest=True, limit=100),
            )
        )
    return pages
