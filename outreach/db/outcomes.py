"""What the funnel and the weekly chart count, kept as the logbook is written, in the same
transaction: each campaign's partners (those with a first contact in it) with the first time each
was heard back from (a reply, a bounce, an out-of-office answer, an opt-out: mail in, never
history) and the campaign's meetings with them, and the replies per day. Reports reads these few
rows, not every mail received.

Every interaction, step, meeting and answer to one written through a session keeps them (the
flush hook at the end); the bulk statements that move or remove steps and answers (a contact
moved, a person erased) call `refresh` themselves. A partner's rows are rebuilt from the logbook
while the partner's row is locked, so two transactions writing about the same partner leave them
right whichever commits first; the replies per day are counted up and down by single statements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from outreach.db.models import (
    CampaignPartner,
    Interaction,
    Meeting,
    MeetingAttendee,
    Partner,
    RepliesOnDay,
    Step,
)
from outreach.domain.steps import StepKind
from outreach.domain.vocabulary import Direction, InteractionKind

# The first time a partner was heard from, by the kind of mail received.
HEARD = {
    InteractionKind.EMAIL: "replied_at",
    InteractionKind.BOUNCE: "bounced_at",
    InteractionKind.AUTO_REPLY: "out_of_office_at",
    InteractionKind.OPT_OUT: "opted_out_at",
}
ACCEPTED = "ACCEPTED"  # an attendee's answer (iCalendar PARTSTAT) that counts a meeting as accepted
BATCH = 500  # partners per statement: well inside every database's limit on bound values

_MEMBERS = cast(sa.Table, CampaignPartner.__table__)
_REPLIES = cast(sa.Table, RepliesOnDay.__table__)


def heard(direction: Any, kind: Any, history: Any) -> bool:
    """Mail that tells the funnel something: received, not history, of a kind it counts."""
    return direction == Direction.IN and not history and kind in HEARD


def is_reply(direction: Any, kind: Any, history: Any) -> bool:
    return direction == Direction.IN and kind == InteractionKind.EMAIL and not history


# --- each campaign's partners and what was heard from them ---------------------------------


def refresh(connection: Connection, partner_ids: Iterable[int]) -> None:
    """Rebuild these partners' rows from their steps and mail."""
    ids = sorted(set(partner_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        if connection.dialect.name == "postgresql":  # SQLite lets one writer in at a time
            connection.execute(
                sa.select(Partner.id).where(Partner.id.in_(batch)).order_by(Partner.id).with_for_update()
            )
        connection.execute(sa.delete(_MEMBERS).where(_MEMBERS.c.partner_id.in_(batch)))
        connection.execute(_rebuilt(batch))


def rebuild_all(connection: Connection) -> None:
    """Every row again from the whole logbook (what migration 0021 did when it made them)."""
    connection.execute(sa.delete(_MEMBERS))
    connection.execute(_rebuilt(None))
    connection.execute(sa.delete(_REPLIES))
    day = sa.func.date(Interaction.occurred_at)
    per_day = sa.select(day, sa.func.count()).where(*_replies_only()).group_by(day)
    connection.execute(sa.insert(_REPLIES).from_select(["day", "replies"], per_day))


def _rebuilt(partner_ids: list[int] | None) -> sa.Insert:
    members = sa.select(Step.campaign_id, Step.partner_id).where(Step.name == StepKind.FIRST_CONTACT).distinct()
    heard_from, met = _heard_from(), _met()
    if partner_ids is not None:
        members = members.where(Step.partner_id.in_(partner_ids))
        heard_from = heard_from.where(Interaction.partner_id.in_(partner_ids))
        met = met.where(Meeting.partner_id.in_(partner_ids))
    m, h, t = members.subquery(), heard_from.subquery(), met.subquery()
    rows = sa.select(
        m.c.campaign_id,
        m.c.partner_id,
        *[h.c[column] for column in HEARD.values()],
        sa.func.coalesce(t.c.meetings_invited, 0),
        sa.func.coalesce(t.c.meetings_accepted, 0),
    ).select_from(
        m.outerjoin(h, h.c.partner_id == m.c.partner_id).outerjoin(
            t, sa.and_(t.c.campaign_id == m.c.campaign_id, t.c.partner_id == m.c.partner_id)
        )
    )
    columns = ["campaign_id", "partner_id", *HEARD.values(), "meetings_invited", "meetings_accepted"]
    return sa.insert(_MEMBERS).from_select(columns, rows)


def _heard_from() -> sa.Select:
    """Per partner, the first mail of each kind the funnel counts."""
    when = Interaction.occurred_at
    first = [sa.func.min(sa.case((Interaction.kind == kind, when))).label(column) for kind, column in HEARD.items()]
    return (
        sa.select(Interaction.partner_id, *first)
        .where(
            Interaction.direction == Direction.IN,
            Interaction.history.is_(False),
            Interaction.kind.in_(list(HEARD)),
        )
        .group_by(Interaction.partner_id)
    )


def _met() -> sa.Select:
    """Per campaign and partner, its meetings, and those an attendee accepted."""
    accepted = sa.exists().where(MeetingAttendee.meeting_id == Meeting.id, MeetingAttendee.partstat == ACCEPTED)
    return sa.select(
        Meeting.campaign_id,
        Meeting.partner_id,
        sa.func.count().label("meetings_invited"),
        sa.func.count(sa.case((accepted, 1))).label("meetings_accepted"),
    ).group_by(Meeting.campaign_id, Meeting.partner_id)


# --- replies per day ------------------------------------------------------------------------


def count_replies(connection: Connection, days: Counter[date]) -> None:
    """Add (or, for mail removed, take away) replies on these days: one statement a day."""
    insert = sqlite.insert if connection.dialect.name == "sqlite" else postgresql.insert
    for day, change in sorted(days.items()):
        if change:
            statement = insert(_REPLIES).values(day=day, replies=change)
            added = statement.on_conflict_do_update(
                index_elements=[_REPLIES.c.day], set_={"replies": _REPLIES.c.replies + statement.excluded.replies}
            )
            connection.execute(added)


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _replies_only() -> list[sa.ColumnElement[bool]]:
    return [
        Interaction.direction == Direction.IN,
        Interaction.kind == InteractionKind.EMAIL,
        Interaction.history.is_(False),
    ]


# --- kept as the logbook is written ---------------------------------------------------------


# The rows the facts follow, and their columns that matter.
FOLLOWED: dict[type, tuple[str, ...]] = {
    Interaction: ("partner_id", "direction", "kind", "history", "occurred_at"),
    Step: ("partner_id", "name"),
    Meeting: ("partner_id", "campaign_id"),
    MeetingAttendee: ("meeting_id", "partstat"),
}


class _Changes:
    """What a flush changed that the facts follow: the partners to rebuild (and the meetings
    whose partners to rebuild), and the replies per day."""

    def __init__(self) -> None:
        self.partners: set[int] = set()
        self.meetings: set[int] = set()
        self.replies: Counter[date] = Counter()

    def take(self, row: type, values: dict[str, Any], sign: int) -> None:
        """A row as it was (sign -1: removed, or changed from it) or as it is (+1)."""
        partner = values.get("partner_id")
        if row is Interaction and partner is not None:
            flags = (values["direction"], values["kind"], values["history"])
            if heard(*flags):
                self.partners.add(partner)
            if is_reply(*flags) and values["occurred_at"] is not None:
                self.replies[day_of(values["occurred_at"])] += sign
        elif (row is Meeting or row is Step and values["name"] == StepKind.FIRST_CONTACT) and partner is not None:
            self.partners.add(partner)  # a first contact: a campaign's partner; a meeting with one
        elif row is MeetingAttendee and values["meeting_id"] is not None:
            self.meetings.add(values["meeting_id"])


def _followed(obj: Any) -> type | None:
    return next((row for row in FOLLOWED if isinstance(obj, row)), None)


def _now(obj: Any, row: type) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in FOLLOWED[row]}


def _before(obj: Any, row: type) -> dict[str, Any] | None:
    """The values before this flush, where any of them changed (None: none did)."""
    state = sa.inspect(obj)
    histories = {name: state.attrs[name].history for name in FOLLOWED[row]}
    if not any(history.has_changes() for history in histories.values()):
        return None
    return {name: h.deleted[0] if h.deleted else getattr(obj, name) for name, h in histories.items()}


def _changes(session: Session) -> _Changes:
    changes = _Changes()
    for objects, sign in ((session.new, +1), (session.deleted, -1)):
        for obj in objects:
            if (row := _followed(obj)) is not None:
                changes.take(row, _now(obj, row), sign)
    for obj in session.dirty:  # changed in place: what it was goes, what it is comes
        if (row := _followed(obj)) is not None and (before := _before(obj, row)) is not None:
            changes.take(row, before, -1)
            changes.take(row, _now(obj, row), +1)
    return changes


@sa.event.listens_for(Session, "before_flush")
def _load_what_goes(session: Session, _context: Any, _instances: Any) -> None:
    """What a deleted row held, read while it is still there (the hook below needs it)."""
    for obj in session.deleted:
        if (row := _followed(obj)) is not None:
            _now(obj, row)


@sa.event.listens_for(Session, "after_flush")
def _keep(session: Session, _context: Any) -> None:
    changes = _changes(session)
    if changes.partners or changes.meetings or changes.replies:
        connection = session.connection()
        if changes.meetings:  # an answer: its meeting's partner
            met = sa.select(Meeting.partner_id).where(Meeting.id.in_(sorted(changes.meetings)))
            changes.partners.update(connection.scalars(met))
        refresh(connection, changes.partners)
        count_replies(connection, changes.replies)
