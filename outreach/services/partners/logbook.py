"""Use cases of the partner logbook: upsert from files, export, look up, move, forget."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session, selectinload

from outreach.db import outcomes
from outreach.db.models import Contact, Partner, PhaseChange, Suppression
from outreach.db.types import utcnow
from outreach.domain.phases import PhaseMove, initial_move, manual_move
from outreach.domain.records import ContactIn, PartnerIn, name_key
from outreach.domain.suppression import email_hash
from outreach.domain.vocabulary import ContactStatus, PartnerStatus, Phase, Source
from outreach.errors import InvalidInput, NotFound, Problem

ERASURE = "erasure"


@dataclass
class UpsertSummary:
    partners_created: int = 0
    partners_updated: int = 0
    partners_unchanged: int = 0
    contacts_created: int = 0
    contacts_updated: int = 0
    skipped_erased: list[str] = field(default_factory=list)
    contacts_moved: list[str] = field(default_factory=list)  # "EMAIL from A to B", as `--move-contact` asked


class _Index:
    """Existing partners by contact email and by (name, country), loaded in two queries."""

    def __init__(self, session: Session):
        self.partners = session.scalars(sa.select(Partner).options(selectinload(Partner.contacts))).all()
        self.by_email = {c.email: c for p in self.partners for c in p.contacts}
        self.by_key = {(p.name_key, p.country or ""): p for p in self.partners}
        self.erased = set(session.scalars(sa.select(Suppression.email_hash).where(Suppression.reason == ERASURE)))
        self.suppressed = suppressed_hashes(session)

    def find(self, record: PartnerIn) -> Partner | None:
        """The organisation the record names: the one of a known contact where the names agree,
        else the one of that name and country."""
        for contact in record.contacts:
            known = self.by_email.get(contact.email)
            if known is not None and known.partner.name_key == name_key(record.name):
                return known.partner
        return self.by_key.get(record.key)


def upsert_partners(
    session: Session,
    records: list[PartnerIn],
    by: str,
    advance: Callable[[], None] = lambda: None,
    move_contacts: bool = False,
) -> UpsertSummary:
    """Add new partners and contacts; update known ones from the values the records give.

    A partner is recognised by a contact's email where the organisation's name agrees, else by
    its name and country. A known contact's address under another organisation's name is never
    read as a rename: it is refused (InvalidInput naming the file and row, and both names),
    unless `move_contacts` moves the contact (and its scheduled mail) to the organisation named,
    which the summary reports. A value the record leaves empty never erases a stored one. People
    who asked to be forgotten are not added back; they are listed in the summary instead.
    """
    index, summary = _Index(session), UpsertSummary()
    if not move_contacts:
        refused = list(_elsewhere(index, records))
        if refused:
            raise InvalidInput(refused)
    new = _NewPartners(index, records)
    for record in records:
        advance()
        if new.takes(record):
            new.add(record, by, summary)
            continue
        partner = index.find(record)
        if partner is None:
            partner = _new_partner(session, record, by)
            summary.partners_created += 1
        elif _update_partner(partner, record, by):
            summary.partners_updated += 1
        else:
            summary.partners_unchanged += 1
        index.by_key[(partner.name_key, partner.country or "")] = partner
        for contact in record.contacts:
            _upsert_contact(session, index, partner, contact, summary)
    session.flush()
    new.write(session)
    return summary


class _NewPartners:
    """Partners the logbook does not know, written as rows in a few statements (no objects): each
    one whose record is the only one naming it (by its key or a contact's address) and none of
    whose contacts is known. Any other record takes the way that merges and moves."""

    def __init__(self, index: _Index, records: list[PartnerIn]):
        self.index = index
        keys: dict[tuple[str, str], int] = {}
        emails: dict[str, int] = {}
        for record in records:
            keys[record.key] = keys.get(record.key, 0) + 1
            for contact in record.contacts:
                emails[contact.email] = emails.get(contact.email, 0) + 1
        self._keys, self._emails = keys, emails
        self.partners: list[dict] = []
        self.contacts: list[list[dict]] = []
        self.moves: list[PhaseMove] = []
        self.suppressions: list[dict] = []

    def takes(self, record: PartnerIn) -> bool:
        if self._keys[record.key] != 1 or record.key in self.index.by_key:
            return False
        return all(self._emails[c.email] == 1 and c.email not in self.index.by_email for c in record.contacts)

    def add(self, record: PartnerIn, by: str, summary: UpsertSummary) -> None:
        phase = record.phase or Phase.SCOUTING
        self.partners.append(
            dict(
                name=record.name,
                name_key=name_key(record.name),
                mail_domain=record.derived_mail_domain(),
                partnership_types=[t.value for t in record.partnership_types],
                tags=list(record.tags),
                extra=dict(record.extra),
                **{name: getattr(record, name) for name in _PARTNER_COLUMNS},
            )
            | dict(phase=phase, source=record.source or Source.OTHER, status=record.status or PartnerStatus.ACTIVE)
        )
        self.moves.append(initial_move(phase, "entered the logbook", by))
        self.contacts.append([row for row in (self._contact(c, summary) for c in record.contacts) if row])
        summary.partners_created += 1

    def _contact(self, record: ContactIn, summary: UpsertSummary) -> dict | None:
        hashed = email_hash(record.email)
        if hashed in self.index.erased:
            summary.skipped_erased.append(record.email)
            return None
        values = record.model_dump(exclude_none=True)
        values.setdefault("status", ContactStatus.ACTIVE)
        if hashed in self.index.suppressed:
            values["status"] = ContactStatus.OPTED_OUT
        elif values["status"] is ContactStatus.OPTED_OUT:
            self.suppressions.append(dict(email_hash=hashed, email=record.email, reason="opted out (logbook import)"))
            self.index.suppressed.add(hashed)
        summary.contacts_created += 1
        return values

    def write(self, session: Session) -> None:
        if not self.partners:
            return
        rows = session.connection()
        now = utcnow()
        for row in self.partners:
            row.update(created_at=now, updated_at=now)
        rows.execute(_NEW_PARTNER, same_keys(self.partners))  # a plain executemany: no RETURNING, many times faster
        made = self._ids(rows, now)
        ids = [made[(row["name_key"], row["country"] or "")] for row in self.partners]
        contacts = [
            {**c, "partner_id": id_, "created_at": now} for id_, cs in zip(ids, self.contacts, strict=False) for c in cs
        ]
        if contacts:
            rows.execute(sa.insert(cast(sa.Table, Contact.__table__)), same_keys(contacts))
        rows.execute(
            _HISTORY,
            [
                dict(partner_id=id_, from_phase=m.from_phase, to_phase=m.to_phase, reason=m.reason, by=m.by, at=now)
                for id_, m in zip(ids, self.moves, strict=False)
            ],
        )
        if self.suppressions:
            rows.execute(
                sa.insert(cast(sa.Table, Suppression.__table__)), [{**s, "created_at": now} for s in self.suppressions]
            )

    def _ids(self, rows, now) -> dict[tuple[str, str], int]:
        """The new partners' ids by their key (each new partner's own), read back a chunk at a time:
        the rows written at `now` (this call's moment) under the keys written."""
        table = Partner.__table__.c
        keys = [row["name_key"] for row in self.partners]
        made: dict[tuple[str, str], int] = {}
        for start in range(0, len(keys), 1000):
            query = sa.select(table.id, table.name_key, table.country).where(
                table.name_key.in_(keys[start : start + 1000]), table.created_at == now
            )
            made.update({(key, country or ""): id_ for id_, key, country in rows.execute(query)})
        return made


def same_keys(rows: list[dict]) -> list[dict]:
    """Rows for one executemany: each with the same keys, those any of them gives a value (None
    where it gave none); a column no row gives a value is left out (NULL, fewer parameters)."""
    keys = dict.fromkeys(key for row in rows for key, value in row.items() if value is not None)
    return [{key: row.get(key) for key in keys} for row in rows]


_PARTNER_COLUMNS = (
    "website",
    "country",
    "region",
    "working_hours",
    "source",
    "focus_area",
    "personal_note",
    "notes",
    "influence",
    "interest",
    "status",
)


def _new_partner(session: Session, record: PartnerIn, by: str) -> Partner:
    partner = Partner(
        name=record.name,
        name_key=name_key(record.name),
        mail_domain=record.derived_mail_domain(),
        partnership_types=[t.value for t in record.partnership_types],
        tags=list(record.tags),
        extra=dict(record.extra),
        phase=record.phase or Phase.SCOUTING,
        **{name: getattr(record, name) for name in _PARTNER_COLUMNS},
    )
    partner.source = partner.source or Source.OTHER
    partner.status = partner.status or PartnerStatus.ACTIVE
    session.add(partner)
    record_move(partner, initial_move(partner.phase, "entered the logbook", by))
    return partner


def _update_partner(partner: Partner, record: PartnerIn, by: str) -> bool:
    changes = {name: getattr(record, name) for name in _PARTNER_COLUMNS if getattr(record, name) is not None}
    if record.partnership_types:
        changes["partnership_types"] = [t.value for t in record.partnership_types]
    if record.tags:
        changes["tags"] = list(record.tags)
    if record.extra:
        changes["extra"] = {**(partner.extra or {}), **record.extra}
    if record.derived_mail_domain():
        changes["mail_domain"] = record.derived_mail_domain()
    if name_key(record.name) != partner.name_key:  # renamed, not merely spelt otherwise
        changes.update(name=record.name, name_key=name_key(record.name))
    changed = _assign(partner, changes)
    if record.phase is not None and record.phase is not partner.phase:
        record_move(partner, manual_move(partner.phase, record.phase, "set by logbook import", by))
        changed = True
    return changed


def _upsert_contact(session, index: _Index, partner: Partner, record: ContactIn, summary: UpsertSummary) -> None:
    hashed = email_hash(record.email)
    if hashed in index.erased:
        summary.skipped_erased.append(record.email)
        return
    values = record.model_dump(exclude={"email"}, exclude_none=True)
    if hashed in index.suppressed:
        values["status"] = ContactStatus.OPTED_OUT
    contact = index.by_email.get(record.email)
    if contact is None:
        values.setdefault("status", ContactStatus.ACTIVE)
        contact = Contact(email=record.email, **values)
        partner.contacts.append(contact)
        index.by_email[record.email] = contact
        summary.contacts_created += 1
        return _suppress_if_opted_out(session, index, contact, record.email, hashed)
    if contact.partner is not partner:  # asked for: refused before anything was written otherwise
        summary.contacts_moved.append(_move(session, contact, partner))
    if _assign(contact, values):
        summary.contacts_updated += 1
    _suppress_if_opted_out(session, index, contact, record.email, hashed)


def _suppress_if_opted_out(session: Session, index: _Index, contact: Contact, email: str, hashed: str) -> None:
    if contact.status is ContactStatus.OPTED_OUT and hashed not in index.suppressed:
        session.add(Suppression(email_hash=hashed, email=email, reason="opted out (logbook import)"))
        index.suppressed.add(hashed)


def _elsewhere(index: _Index, records: list[PartnerIn]) -> Iterator[Problem]:
    """A Problem for each contact the records put under another organisation than the one it
    belongs to (in the logbook, or in an earlier row of the same records)."""
    owner = {email: (contact.partner.name, "in the logbook") for email, contact in index.by_email.items()}
    for record in records:
        for contact in record.contacts:
            known, where = owner.setdefault(contact.email, (record.name, "in an earlier row"))
            if name_key(known) != name_key(record.name):
                source, line, column = contact.origin or ("(records)", None, "email")
                yield Problem(
                    source,
                    line,
                    column,
                    (
                        f"{contact.email} is a contact of {known!r} {where}, but here it is under {record.name!r}; "
                        f"correct the organisation, or run again with --move-contact to move {contact.email} "
                        f"to {record.name!r}"
                    ),
                )


def _move(session: Session, contact: Contact, partner: Partner) -> str:
    """The contact (and its mail still to go) to another organisation; what it logged stays."""
    from outreach.db.models import Step
    from outreach.domain.steps import PENDING
    from outreach.domain.vocabulary import StepStatus

    before, left = contact.partner.name, contact.partner_id
    contact.partner = partner
    session.flush()
    session.execute(
        sa.update(Step)
        .where(Step.contact_id == contact.id, Step.status.in_([*PENDING, StepStatus.HELD]))
        .values(partner_id=partner.id)
    )
    outcomes.refresh(session.connection(), [left, partner.id])  # a first contact still to go moved too
    return f"{contact.email} from {before} to {partner.name}"


def _assign(row, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def record_move_rows(session: Session, partner_id: int, move: PhaseMove, at: datetime, activity: bool = False) -> None:
    """record_move for a stored partner, as two statements (no objects loaded). `activity`: the
    move comes with an interaction at `at`, kept as the partner's latest activity by the same
    statement (as models.LAST_ACTIVITY would)."""
    rows = session.connection()
    rows.execute(
        _MOVE_AND_ACTIVITY if activity else _MOVE, {"partner_id": partner_id, "phase": move.to_phase, "at": at}
    )
    rows.execute(
        _HISTORY,
        dict(
            partner_id=partner_id,
            from_phase=move.from_phase,
            to_phase=move.to_phase,
            reason=move.reason,
            by=move.by,
            at=at,
        ),
    )


# A mapped class's __table__ is a Table; SQLAlchemy types it as any FromClause.
_MOVE = (
    sa.update(cast(sa.Table, Partner.__table__))
    .where(Partner.id == sa.bindparam("partner_id"))
    .values(phase=sa.bindparam("phase"), updated_at=sa.bindparam("at"))
)
_HISTORY = sa.insert(cast(sa.Table, PhaseChange.__table__))
_LATEST = Partner.__table__.c.last_activity_at
_MOVE_AND_ACTIVITY = _MOVE.values(
    last_activity_at=sa.case(
        (sa.or_(_LATEST.is_(None), sa.bindparam("at") > _LATEST), sa.bindparam("at")), else_=_LATEST
    )
)
_NEW_PARTNER = sa.insert(cast(sa.Table, Partner.__table__))


def record_move(partner: Partner, move: PhaseMove, at: datetime | None = None) -> None:
    partner.phase = move.to_phase
    change = PhaseChange(
        from_phase=move.from_phase, to_phase=move.to_phase, reason=move.reason, by=move.by, at=at or utcnow()
    )
    session = object_session(partner)
    if partner.id is None or session is None or "phase_history" in partner.__dict__:
        partner.phase_history.append(change)  # new, or its history is loaded already
    else:  # no need to load the whole history to add one line to it
        change.partner_id = partner.id
        session.add(change)


def snapshot(partner: Partner, trusted: bool = False, contacts: list[Contact] | None = None) -> PartnerIn:
    """A stored partner as a record: what export writes and import reads back.

    `trusted` skips validation for data just read from the logbook (it was validated on the
    way in), which the send path does for every message, with just the contact it writes to.
    """
    make_partner = PartnerIn.model_construct if trusted else PartnerIn
    make_contact = ContactIn.model_construct if trusted else ContactIn
    return make_partner(
        **{name: getattr(partner, name) for name in _SNAPSHOT_FIELDS},
        extra=partner.extra or {},
        contacts=[
            make_contact(**{name: getattr(c, name) for name in _CONTACT_FIELDS})
            for c in (partner.contacts if contacts is None else contacts)
        ],
    )


_SNAPSHOT_FIELDS = (
    "name",
    "website",
    "mail_domain",
    "country",
    "region",
    "working_hours",
    "source",
    "partnership_types",
    "focus_area",
    "personal_note",
    "notes",
    "tags",
    "influence",
    "interest",
    "phase",
    "status",
)
_CONTACT_FIELDS = (
    "email",
    "name",
    "salutation",
    "title",
    "family_name",
    "role",
    "language",
    "register",
    "timezone",
    "status",
)


def all_partners(session: Session, phase: Phase | None = None) -> list[Partner]:
    query = sa.select(Partner).options(selectinload(Partner.contacts)).order_by(Partner.id)
    if phase is not None:
        query = query.where(Partner.phase == phase)
    return list(session.scalars(query))


def find_partner(session: Session, ref: str) -> Partner:
    """A partner by its id or by the email of one of its contacts."""
    if ref.strip().isdigit():
        partner = session.get(Partner, int(ref))
    else:
        partner = session.scalar(sa.select(Partner).join(Contact).where(Contact.email == ref.strip().lower()))
    if partner is None:
        raise NotFound(f"no partner {ref!r} in the logbook; `outreach partners list` shows them")
    return partner


def advance(session: Session, ref: str, target: Phase, reason: str, by: str) -> PhaseMove:
    """Staff move a partner by hand; the move is kept in the phase history."""
    partner = find_partner(session, ref)
    move = manual_move(partner.phase, target, reason, by)
    record_move(partner, move)
    session.flush()
    return move


def resume(session: Session, ref: str, now: datetime) -> int:
    """A partner's held mail (after a rejection of our mail, or held by staff) goes out again, and
    mail staff paused until a date gets back the date it had; the number scheduled again."""
    from outreach.db.models import Step
    from outreach.domain.vocabulary import StepStatus

    partner = find_partner(session, ref)
    held = session.scalars(
        sa.select(Step).where(  # a next-steps mail waits for its outcome and approval instead
            Step.partner_id == partner.id, Step.status == StepStatus.HELD, Step.template != "next_steps"
        )
    ).all()
    for step in held:
        step.status, step.due_at, step.last_error = StepStatus.SCHEDULED, max(step.due_at, now), None
    paused = session.scalars(
        sa.select(Step).where(
            Step.partner_id == partner.id, Step.status == StepStatus.SCHEDULED, Step.due_before_pause.is_not(None)
        )
    ).all()
    for step in paused:
        step.due_at, step.due_before_pause, step.last_error = max(step.due_before_pause or now, now), None, None
    session.flush()
    return len(held) + len(paused)


def suppressed_hashes(session: Session) -> set[str]:
    return set(session.scalars(sa.select(Suppression.email_hash)))


def is_suppressed(session: Session, email: str) -> bool:
    return bool(
        session.scalar(
            sa.select(sa.func.count()).select_from(Suppression).where(Suppression.email_hash == email_hash(email))
        )
    )
