"""What the funnel and the weekly chart count, kept as the logbook is written, in the same
transaction: each campaign's partners (those with a first contact in it) with the first time each
was heard back from (a reply, a bounce, an out-of-office answer, an opt-out: mail in, never
history), and the replies per day. Reports reads these few rows, not every mail received.

Every interaction and step written through a session keeps them (the flush hook at the end); the
two bulk statements that move or remove steps (a contact moved, a person erased) call `refresh`.
A partner's rows are rebuilt from the logbook itself while the partner's row is locked, so two
transactions writing about the same partner leave them right in either order; the replies per
day are counted up and down by single statements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from outreach.db.models import CampaignPartner, Interaction, Partner, RepliesOnDay, Step
from outreach.domain.steps import StepKind
from outreach.domain.vocabulary import Direction, InteractionKind

# The first time a partner was heard from, by the kind of mail received.
HEARD = {
    InteractionKind.EMAIL: "replied_at",
    InteractionKind.BOUNCE: "bounced_at",
    InteractionKind.AUTO_REPLY: "out_of_office_at",
    InteractionKind.OPT_OUT: "opted_out_at",
}
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
    when = Interaction.occurred_at
    first = [sa.func.min(sa.case((Interaction.kind == kind, when))).label(column) for kind, column in HEARD.items()]
    heard_from = (
        sa.select(Interaction.partner_id, *first)
        .where(
            Interaction.direction == Direction.IN,
            Interaction.history.is_(False),
            Interaction.kind.in_(list(HEARD)),
        )
        .group_by(Interaction.partner_id)
    )
    if partner_ids is not None:
        members = members.where(Step.partner_id.in_(partner_ids))
        heard_from = heard_from.where(Interaction.partner_id.in_(partner_ids))
    m, h = members.subquery(), heard_from.subquery()
    rows = sa.select(m.c.campaign_id, m.c.partner_id, *[h.c[c] for c in HEARD.values()]).select_from(
        m.outerjoin(h, h.c.partner_id == m.c.partner_id)
    )
    return sa.insert(_MEMBERS).from_select(["campaign_id", "partner_id", *HEARD.values()], rows)


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


class _Changes:
    """What a flush changed that the facts follow: the partners to rebuild, replies per day."""

    def __init__(self) -> None:
        self.partners: set[int] = set()
        self.replies: Counter[date] = Counter()

    def interaction(self, values: dict[str, Any], sign: int) -> None:
        if values["partner_id"] is None:
            return
        flags = (values["direction"], values["kind"], values["history"])
        if heard(*flags):
            self.partners.add(values["partner_id"])
        if is_reply(*flags) and values["occurred_at"] is not None:
            self.replies[day_of(values["occurred_at"])] += sign

    def step(self, values: dict[str, Any]) -> None:
        if values["name"] == StepKind.FIRST_CONTACT and values["partner_id"] is not None:
            self.partners.add(values["partner_id"])


_INTERACTION = ("partner_id", "direction", "kind", "history", "occurred_at")
_STEP = ("partner_id", "name")


def _now(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _before(obj: Any, names: tuple[str, ...]) -> dict[str, Any] | None:
    """The values before this flush, where any of them changed (None: none did)."""
    state = sa.inspect(obj)
    histories = {name: state.attrs[name].history for name in names}
    if not any(history.has_changes() for history in histories.values()):
        return None
    return {name: h.deleted[0] if h.deleted else getattr(obj, name) for name, h in histories.items()}


def _changes(session: Session) -> _Changes:
    changes = _Changes()
    for obj in session.new:
        if isinstance(obj, Interaction):
            changes.interaction(_now(obj, _INTERACTION), +1)
        elif isinstance(obj, Step):
            changes.step(_now(obj, _STEP))
    for obj in session.deleted:
        if isinstance(obj, Interaction):
            changes.interaction(_now(obj, _INTERACTION), -1)
        elif isinstance(obj, Step):
            changes.step(_now(obj, _STEP))
    for obj in session.dirty:  # a row changed in place: what it was goes, what it is comes
        if isinstance(obj, Interaction) and (before := _before(obj, _INTERACTION)) is not None:
            changes.interaction(before, -1)
            changes.interaction(_now(obj, _INTERACTION), +1)
        elif isinstance(obj, Step) and (before := _before(obj, _STEP)) is not None:
            changes.step(before)
            changes.step(_now(obj, _STEP))
    return changes


@sa.event.listens_for(Session, "before_flush")
def _load_what_goes(session: Session, _context: Any, _instances: Any) -> None:
    """What a deleted row held, read while it is still there (the hook below needs it)."""
    for obj in session.deleted:
        if isinstance(obj, Interaction | Step):
            _now(obj, _INTERACTION if isinstance(obj, Interaction) else _STEP)


@sa.event.listens_for(Session, "after_flush")
def _keep(session: Session, _context: Any) -> None:
    changes = _changes(session)
    if changes.partners or changes.replies:
        connection = session.connection()
        refresh(connection, changes.partners)
        count_replies(connection, changes.replies)
