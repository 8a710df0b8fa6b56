"""The funnel's facts kept as the logbook is written (issue 25): each campaign's partners with
the first time each was heard back from, and the replies per day. Over a varied logbook (partners
in several campaigns or none, two contacts, every kind of mail in and out, history, replies from
before a partner joined a campaign, meetings of members and of others, a person erased, a contact
moved, mail removed or changed in place), the funnel and the weekly chart equal a plain recount of
the logbook, and the kept rows equal a rebuild from it; on SQLite and PostgreSQL. Migration 0021
fills them from an existing logbook; two transactions writing about one partner at once leave
them right (PostgreSQL)."""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db import migrate, outcomes
from outreach.db.engine import UnitOfWork, make_engine
from outreach.db.models import (
    Campaign,
    CampaignPartner,
    Contact,
    Interaction,
    Meeting,
    MeetingAttendee,
    Partner,
    RepliesOnDay,
    Step,
)
from outreach.domain.records import ContactIn, PartnerIn
from outreach.domain.vocabulary import Direction, InteractionKind, Phase, StepStatus
from outreach.services.partners import erasure, logbook
from outreach.services.workspace import funnel, reports
from tests.support.campaigns import campaign_settings
from tests.support.databases import empty_tables

NOW = datetime(2026, 12, 10, 15, 30, tzinfo=UTC)
QUEUED = (StepStatus.SCHEDULED, StepStatus.QUEUED, StepStatus.SENDING)
MAIL_IN = [
    (Direction.IN, InteractionKind.EMAIL),
    (Direction.IN, InteractionKind.BOUNCE),
    (Direction.IN, InteractionKind.AUTO_REPLY),
    (Direction.IN, InteractionKind.OPT_OUT),
    (Direction.IN, InteractionKind.RECEIPT),
    (Direction.IN, InteractionKind.DELAYED),
    (Direction.OUT, InteractionKind.EMAIL),
    (Direction.INTERNAL, InteractionKind.NOTE),
]


# --- a varied logbook, written as the product writes it -------------------------------------


class Book:
    def __init__(self, session: Session, tag: str = "facts", seed: int = 25):
        self.session, self.tag, self.chance, self.serial = session, tag, random.Random(seed), 0

    def campaigns(self, n: int) -> list[Campaign]:
        rows = []
        for i in range(n):
            name = f"{self.tag}{i}"
            settings = campaign_settings(name, 25, 143, [{"name": "x", "contacts": [{"email": "x@x.test"}]}])
            rows.append(Campaign(name=name, mailbox="vet@school.test", settings=settings))
        self.session.add_all(rows)
        self.session.flush()
        return rows

    def partners(self, n: int) -> list[Partner]:
        rows = []
        for i in range(n):
            partner = Partner(name=f"Firm {i}", name_key=f"firm {i}", phase=list(Phase)[i % len(Phase)])
            partner.contacts = [
                Contact(email=f"p{i}c{j}@firm{i}.test", name=f"Person {i}{j}") for j in range(1 + i % 2)
            ]
            rows.append(partner)
        self.session.add_all(rows)
        self.session.flush()
        return rows

    def step(self, campaign: Campaign, contact: Contact, name: str, status: StepStatus) -> Step:
        self.serial += 1
        step = Step(
            campaign_id=campaign.id,
            partner_id=contact.partner_id,
            contact_id=contact.id,
            name=name,
            template=name,
            status=status,
            due_at=NOW - timedelta(days=self.chance.randint(-5, 60)),
            message_id=f"<{self.tag}{self.serial}@facts.test>",
        )
        self.session.add(step)
        return step

    def mail(self, partner: Partner, n: int) -> None:
        for _ in range(n):
            direction, kind = self.chance.choice(MAIL_IN)
            self.session.add(
                Interaction(
                    partner_id=partner.id,
                    contact_id=self.chance.choice(partner.contacts).id,
                    direction=direction,
                    kind=kind,
                    occurred_at=NOW - timedelta(days=self.chance.uniform(-3, 100)),
                    history=self.chance.random() < 0.15,
                )
            )

    def meeting(self, campaign: Campaign, partner: Partner) -> None:
        self.serial += 1
        meeting = Meeting(
            partner_id=partner.id,
            campaign_id=campaign.id,
            uid=f"{self.tag}{self.serial}@facts.test",
            start_at=NOW + timedelta(days=3),
            end_at=NOW + timedelta(days=3, hours=1),
            timezone="Europe/Berlin",
            created_at=NOW - timedelta(days=self.chance.uniform(0, 100)),
        )
        for contact in partner.contacts:
            partstat = self.chance.choice(["ACCEPTED", "DECLINED", "NEEDS-ACTION"])
            meeting.attendees.append(MeetingAttendee(contact_id=contact.id, email=contact.email, partstat=partstat))
        self.session.add(meeting)


def varied(session: Session) -> None:
    """Written in the order the product writes: some partners are heard from before any
    campaign has them; campaigns take partners on later, in several flushes and transactions."""
    book = Book(session)
    campaigns, partners = book.campaigns(3), book.partners(30)
    for partner in partners[::3]:
        book.mail(partner, 3)  # heard from before they joined a campaign
    session.commit()
    statuses = list(StepStatus)
    for campaign in campaigns:
        for partner in partners:
            roll = book.chance.random()
            if roll < 0.55:  # a member: a first contact to one or every contact
                for contact in partner.contacts[: book.chance.randint(1, len(partner.contacts))]:
                    book.step(campaign, contact, "first_contact", book.chance.choice(statuses))
                book.step(campaign, partner.contacts[0], "follow-up-1", book.chance.choice(statuses))
            elif roll < 0.7:  # not a member: a one-off mail only
                book.step(campaign, partner.contacts[0], "free_text", StepStatus.SENT)
            if book.chance.random() < 0.3:
                book.meeting(campaign, partner)
        session.flush()
    for partner in partners:
        book.mail(partner, book.chance.randint(0, 6))
    session.commit()


def changed_afterwards(session: Session) -> None:
    """A person erased, a contact moved (with its first contact still to go), mail and a meeting
    removed, mail, meetings and answers changed in place."""
    erasure.forget(session, "p1c1@firm1.test")  # one of two contacts
    erasure.forget(session, "p4c0@firm4.test")  # the only one
    session.commit()
    later = Book(session, "later")
    [campaign] = later.campaigns(1)
    moved = session.scalar(sa.select(Contact).where(Contact.email == "p7c0@firm7.test"))
    later.step(campaign, moved, "first_contact", StepStatus.SCHEDULED)  # still to go: it moves with the contact
    session.flush()
    record = PartnerIn(name="Firm 8", contacts=[ContactIn(email="p7c0@firm7.test")])
    logbook.upsert_partners(session, [record], "test", move_contacts=True)
    session.commit()
    mail = session.scalars(sa.select(Interaction).where(Interaction.direction == Direction.IN)).all()
    session.delete(mail[0])
    mail[1].history = not mail[1].history
    mail[2].kind = InteractionKind.EMAIL if mail[2].kind != InteractionKind.EMAIL else InteractionKind.BOUNCE
    mail[3].occurred_at = mail[3].occurred_at - timedelta(days=9)
    session.commit()
    members = set(session.execute(sa.select(CampaignPartner.campaign_id, CampaignPartner.partner_id)))
    meetings = [
        m for m in session.scalars(sa.select(Meeting).order_by(Meeting.id)) if (m.campaign_id, m.partner_id) in members
    ]
    accepted = [m for m in meetings if any(a.partstat == "ACCEPTED" for a in m.attendees)]
    for attendee in accepted[0].attendees:  # a change of mind
        attendee.partstat = "DECLINED"
    session.commit()
    [not_yet] = [m for m in meetings if m not in accepted][:1]
    not_yet.attendees[0].partstat = "ACCEPTED"  # an answer
    session.commit()
    session.delete(meetings[0])
    meetings[3].partner_id = meetings[4].partner_id
    later.meeting(campaign, session.get(Partner, moved.partner_id))
    session.commit()


# --- a plain recount of the logbook ---------------------------------------------------------


def recount(session: Session) -> list[dict]:
    """The funnel from its definitions, row by row, in Python."""
    steps = session.scalars(sa.select(Step)).all()
    phase = {p.id: p.phase for p in session.scalars(sa.select(Partner))}
    heard: dict[int, set] = defaultdict(set)
    for i in session.scalars(sa.select(Interaction)):
        if i.direction is Direction.IN and not i.history:
            heard[i.partner_id].add(i.kind)
    meetings = session.scalars(sa.select(Meeting)).all()
    rows = []
    for campaign in session.scalars(sa.select(Campaign).order_by(Campaign.id)):
        own = [s for s in steps if s.campaign_id == campaign.id]
        members = {s.partner_id for s in own if s.name == "first_contact"}
        phases = []
        for p in Phase:
            group = {m for m in members if phase[m] is p}
            if group:
                phases.append(
                    (p.value, _counts(own, group, heard, [m for m in meetings if m.campaign_id == campaign.id]))
                )
        rows += [{"campaign": campaign.name, "phase": name} | counts for name, counts in phases]
        if phases:
            total = {key: sum(c[key] for _, c in phases) for key in funnel.MEASURED}
            total["sent"] = sum(1 for s in own if s.status is StepStatus.SENT)
            rows.append({"campaign": campaign.name, "phase": "all"} | total)
    for row in rows:
        row["reply_rate"] = round(row["replied"] / row["reached"], 3) if row["reached"] else 0.0
    return rows


def _counts(steps: list[Step], group: set[int], heard: dict, meetings: list[Meeting]) -> dict:
    first = [s for s in steps if s.name == "first_contact" and s.partner_id in group]
    theirs = [m for m in meetings if m.partner_id in group]
    return {
        "partners": len(group),
        "queued": sum(1 for s in first if s.status in QUEUED),
        "sent": sum(1 for s in steps if s.partner_id in group and s.status is StepStatus.SENT),
        "reached": sum(1 for s in first if s.status is StepStatus.SENT),
        "replied": sum(1 for p in group if InteractionKind.EMAIL in heard[p]),
        "bounced": sum(1 for p in group if InteractionKind.BOUNCE in heard[p]),
        "out_of_office": sum(1 for p in group if InteractionKind.AUTO_REPLY in heard[p]),
        "opted_out": sum(1 for p in group if InteractionKind.OPT_OUT in heard[p]),
        "meetings_invited": len(theirs),
        "meetings_accepted": sum(1 for m in theirs if any(a.partstat == "ACCEPTED" for a in m.attendees)),
    }


def replies_per_week(session: Session, start: datetime) -> list[int]:
    weeks = [0] * reports.WEEKS
    for i in session.scalars(sa.select(Interaction)):
        if i.direction is Direction.IN and i.kind is InteractionKind.EMAIL and not i.history and i.occurred_at >= start:
            weeks[min((i.occurred_at - start).days // 7, reports.WEEKS - 1)] += 1
    return weeks


def kept(session: Session) -> tuple[set, set]:
    members = {tuple(row) for row in session.execute(sa.select(CampaignPartner.__table__))}
    days = {tuple(row) for row in session.execute(sa.select(RepliesOnDay.__table__).where(RepliesOnDay.replies != 0))}
    return members, days


# --- the tests ------------------------------------------------------------------------------


def assert_counts_as_the_logbook(session: Session) -> None:
    expected = recount(session)
    assert funnel.funnel(session) == expected
    assert funnel.funnel(session, by_phase=False) == [row for row in expected if row["phase"] == "all"]
    start = datetime(2026, 9, 17, tzinfo=UTC)  # midnight, twelve weeks before NOW
    assert reports._replies_per_week(session, start) == replies_per_week(session, start)
    assert sum(replies_per_week(session, start)) > 0
    members, days = kept(session)
    outcomes.rebuild_all(session.connection())
    assert (members, days) == kept(session)
    session.rollback()


def test_the_funnel_and_the_weekly_replies_equal_a_recount_of_a_varied_logbook(uow):
    varied(uow.session)
    assert_counts_as_the_logbook(uow.session)
    all_rows = [row for row in funnel.funnel(uow.session) if row["phase"] == "all"]
    for key in ("partners", "queued", "reached", "replied", "bounced", "out_of_office", "opted_out"):
        assert all(row[key] for row in all_rows), key  # the logbook is varied enough to tell
    changed_afterwards(uow.session)
    assert_counts_as_the_logbook(uow.session)


def test_the_weekly_chart_reads_weeks_from_midnight_utc(uow):
    varied(uow.session)
    chart = reports.weekly_chart(uow.session, NOW.astimezone(ZoneInfo("Pacific/Auckland")))  # 11 December there
    weeks = replies_per_week(uow.session, datetime(2026, 9, 17, tzinfo=UTC))
    assert "replies: " + ", ".join(str(n) for n in weeks) in chart
    assert "17 Sep" in chart


# --- migration 0021 fills them from the logbook as it stands --------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0020(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'before.db'}"
    else:
        url = request.getfixturevalue("postgres_databases").create()
    engine = make_engine(url)
    migrate.upgrade(engine, "0020")
    yield engine
    engine.dispose()


def test_migration_0021_fills_them_from_the_logbook(at_0020, tmp_path):
    engine = at_0020
    with engine.begin() as db:  # plain statements: the product's hooks would write the new tables
        varied_rows(db)
    migrate.upgrade(engine)
    with Session(engine) as session:
        members, days = kept(session)
        assert len(members) == 3 and sum(n for _, n in days) == 2
        outcomes.rebuild_all(session.connection())
        assert (members, days) == kept(session)
        rows = {row["campaign"]: row for row in funnel.funnel(session, by_phase=False)}
        old = rows["old"]
        assert (old["partners"], old["replied"], old["bounced"]) == (2, 1, 1)
        assert (old["meetings_invited"], old["meetings_accepted"]) == (2, 1)


def varied_rows(db) -> None:
    settings = campaign_settings("old", 25, 143, [{"name": "x", "contacts": [{"email": "x@x.test"}]}])
    db.execute(sa.insert(Campaign.__table__), [dict(id=1, name="old", mailbox="v@s.test", settings=settings)])
    db.execute(sa.insert(Campaign.__table__), [dict(id=2, name="new", mailbox="v@s.test", settings=settings)])
    db.execute(sa.insert(Partner.__table__), [dict(id=i, name=f"P{i}", name_key=f"p{i}") for i in (1, 2, 3)])
    db.execute(sa.insert(Contact.__table__), [dict(id=i, partner_id=i, email=f"c{i}@p.test") for i in (1, 2, 3)])
    step = dict(name="first_contact", template="first_contact", status="sent", due_at=NOW)
    db.execute(
        sa.insert(Step.__table__),
        [
            step | dict(campaign_id=1, partner_id=1, contact_id=1, message_id="<1>"),
            step | dict(campaign_id=1, partner_id=2, contact_id=2, message_id="<2>"),
            step | dict(campaign_id=2, partner_id=2, contact_id=2, message_id="<3>"),
            step | dict(campaign_id=2, partner_id=3, contact_id=3, name="follow-up-1", message_id="<4>"),
        ],
    )
    meeting = dict(start_at=NOW, end_at=NOW, timezone="UTC")
    db.execute(
        sa.insert(Meeting.__table__),
        [
            meeting | dict(id=1, campaign_id=1, partner_id=1, uid="m1"),
            meeting | dict(id=2, campaign_id=1, partner_id=1, uid="m2"),
            meeting | dict(id=3, campaign_id=2, partner_id=1, uid="m3"),
        ],
    )
    db.execute(
        sa.insert(MeetingAttendee.__table__),
        [
            dict(meeting_id=1, email="c1@p.test", partstat="ACCEPTED"),
            dict(meeting_id=1, email="x@p.test", partstat="ACCEPTED"),
            dict(meeting_id=2, email="c1@p.test", partstat="DECLINED"),
        ],
    )
    mail = dict(direction="in", kind="email", occurred_at=NOW, history=False)
    db.execute(
        sa.insert(Interaction.__table__),
        [
            mail | dict(partner_id=1),
            mail | dict(partner_id=1, occurred_at=NOW - timedelta(days=40)),
            mail | dict(partner_id=2, kind="bounce"),
            mail | dict(partner_id=2, history=True),
            mail | dict(partner_id=3, direction="out"),
        ],
    )


# --- two transactions about one partner at once ---------------------------------------------


@pytest.fixture
def postgres_engine(postgres_url):
    engine = make_engine(postgres_url)
    empty_tables(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("first", ["joins the campaign", "replies"])
def test_a_reply_while_the_partner_joins_a_campaign_is_counted_whichever_commits_first(postgres_engine, first):
    with UnitOfWork(postgres_engine) as uow:
        book = Book(uow.session)
        [campaign], [partner] = book.campaigns(1), book.partners(1)
        uow.commit()
        ids = campaign.id, partner.id, partner.contacts[0].id

    def joins(session: Session) -> None:
        campaign_id, partner_id, contact_id = ids
        session.add(
            Step(
                campaign_id=campaign_id,
                partner_id=partner_id,
                contact_id=contact_id,
                name="first_contact",
                template="first_contact",
                due_at=NOW,
                message_id="<join@facts.test>",
            )
        )

    def replies(session: Session) -> None:
        session.add(Interaction(partner_id=ids[1], direction=Direction.IN, kind=InteractionKind.EMAIL, occurred_at=NOW))

    writes = [joins, replies] if first == "joins the campaign" else [replies, joins]
    with Session(postgres_engine) as one, Session(postgres_engine) as other:
        writes[0](one)
        one.flush()  # holds the partner until it commits
        flushed = threading.Event()

        def second() -> None:
            writes[1](other)
            other.flush()  # waits for the first to commit, then reads what it wrote
            flushed.set()
            other.commit()

        thread = threading.Thread(target=second)
        thread.start()
        assert not flushed.wait(0.5)
        one.commit()
        thread.join(10)
        assert flushed.is_set()
    with Session(postgres_engine) as session:
        [(replied_at,)] = session.execute(sa.select(CampaignPartner.replied_at)).all()
        assert replied_at == NOW
        assert Counter(dict(session.execute(sa.select(RepliesOnDay.day, RepliesOnDay.replies)).all())) == Counter(
            {NOW.date(): 1}
        )
