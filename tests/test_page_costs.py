"""A page costs what it shows (issue 25): the read models behind Reports, Pipeline and Today
issue the same number of SQL statements for 5 partners as for 50, counted with SQLAlchemy's
`before_cursor_execute`; against SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from outreach.db.models import (
    Campaign,
    Contact,
    Interaction,
    Kpi,
    Meeting,
    MeetingAttendee,
    Partner,
    PhaseChange,
    Step,
    Todo,
)
from outreach.db.types import utcnow
from outreach.domain.vocabulary import Direction, InteractionKind, Phase, StepStatus
from outreach.services.partners import partnerships
from outreach.services.workspace import funnel, pages, reports
from tests.support.campaigns import campaign_settings
from tests.support.databases import empty_tables

PHASES = list(Phase)


def seed(session, partners: int) -> None:
    """`partners` partners in every phase, each with a sent first contact, a scheduled follow-up,
    a reply or an out-of-office answer, phase history, KPIs, a result, a meeting and a to-do."""
    now = utcnow()
    settings = campaign_settings("costs", 25, 143, [{"name": "x", "contacts": [{"email": "x@x.test"}]}])
    campaign = Campaign(name="costs", mailbox="vet@school.test", settings=settings, created_at=now, updated_at=now)
    session.add(campaign)
    session.flush()
    for i in range(partners):
        phase = PHASES[i % len(PHASES)]
        partner = Partner(name=f"Partner {i}", name_key=f"partner {i}", phase=phase, partnership_types=["training"])
        contact = Contact(partner=partner, email=f"p{i}@partner.test", name=f"Person {i}")
        session.add_all([partner, contact])
        session.flush()
        session.add_all(_around(campaign, partner, contact, i, now))
    session.flush()


def _around(campaign: Campaign, partner: Partner, contact: Contact, i: int, now) -> list:
    def step(name: str, status: StepStatus, due) -> Step:
        return Step(
            campaign_id=campaign.id,
            partner_id=partner.id,
            contact_id=contact.id,
            name=name,
            template=name,
            status=status,
            due_at=due,
            message_id=f"<{name}-{i}@costs.test>",
        )

    kind = InteractionKind.EMAIL if i % 2 else InteractionKind.AUTO_REPLY
    meeting = Meeting(
        partner_id=partner.id,
        campaign_id=campaign.id,
        uid=f"costs-{i}",
        start_at=now + timedelta(days=3),
        end_at=now + timedelta(days=3, hours=1),
        timezone="Europe/Berlin",
    )
    return [
        step("first_contact", StepStatus.SENT, now - timedelta(days=20)),
        step("follow-up-1", StepStatus.SCHEDULED, now + timedelta(hours=i + 1)),
        step("check_in", StepStatus.SCHEDULED, now + timedelta(days=1)),
        Interaction(
            partner_id=partner.id,
            contact_id=contact.id,
            direction=Direction.IN,
            kind=kind,
            occurred_at=now - timedelta(days=i % 30),
            returns_on=(now + timedelta(days=2)).date() if kind is InteractionKind.AUTO_REPLY else None,
        ),
        Interaction(partner_id=partner.id, direction=Direction.INTERNAL, kind=InteractionKind.NOTE, subject="result"),
        PhaseChange(partner_id=partner.id, to_phase=partner.phase, at=now, reason="seeded", by="test"),
        Kpi(partner_id=partner.id, name="Learners", target=10, unit="learners", current=i, updated_by="test"),
        meeting,
        MeetingAttendee(meeting=meeting, email=contact.email, partstat="ACCEPTED", answered_at=now),
        Todo(kind="question", partner_id=partner.id, text=f"Answer {i}", created_at=now, open_key=f"q:{i}"),
    ]


@contextmanager
def counted(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def statements_for(engine, uow, partners: int, read: Callable) -> int:
    empty_tables(engine)
    seed(uow.session, partners)
    uow.commit()
    uow.session.expunge_all()
    with counted(engine) as statements:
        read(uow.session)
    uow.session.rollback()
    return len(statements)


READS = {
    "reports": lambda session: reports.overview(session, utcnow()),
    "reports, page 2": lambda session: reports.overview(session, utcnow(), page=2),
    "partnerships": lambda session: partnerships.overview(session, utcnow()),
    "funnel": lambda session: funnel.funnel(session),
    "pipeline": lambda session: pages.pipeline(session, pages.Filters()),
    "pipeline, one column further": lambda session: pages.pipeline(
        session, pages.Filters(), pages.Paging(Phase.PROPOSAL, 2)
    ),
    "today": lambda session: pages.today(session, utcnow()),
}


@pytest.mark.parametrize("page", READS)
def test_a_page_issues_as_many_statements_for_50_partners_as_for_5(engine, uow, page):
    few = statements_for(engine, uow, 5, READS[page])
    many = statements_for(engine, uow, 50, READS[page])
    assert few == many, f"{page}: {few} statements for 5 partners, {many} for 50"
    assert many <= 16  # a fixed few: Reports has 11 (funnel 4, weekly 2, tallies 1, partnerships 4)


def test_the_reports_figures_at_50_partners(engine, uow):
    seed(uow.session, 50)
    uow.commit()
    report = reports.overview(uow.session, utcnow())
    [(name, chart)] = report.funnels
    assert name == "costs" and "sent 50" in chart and "partners reached 50" in chart and "replied 25" in chart
    assert "meetings accepted 50" in chart
    assert report.by_phase == [(phase.label, 10) for phase in Phase]
    assert report.by_type == [("Training partnership", 50)]
    assert report.partnerships_count == 30 and len(report.partnerships) == 30
    [first] = [row for row in report.partnerships if row["partner"] == "Partner 2"]
    assert (first["results"], first["kpi_status"], first["days_in_phase"]) == (1, "0 of 1 reached", 0)
