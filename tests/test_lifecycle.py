"""After the first meeting: the MoU draft and quarterly check-ins, against a real database."""

from datetime import timedelta

import sqlalchemy as sa

from outreach.db.models import Step
from outreach.domain.vocabulary import StepStatus
from tests.test_sending_rules import MONDAY_10_UTC, Clock, FakeOutbox, queue, run_tick, send_all, steps


def test_collaboration_setup_writes_the_mou_draft(uow, cli, tmp_path):
    queue(uow, tmp_path, count=1)
    path = tmp_path / "mou.md"
    moved = cli("partners", "advance", "1", "collaboration_setup", "--reason", "agreement signed", "--mou", path,
                "--valid-from", "2027-04-01", "--valid-to", "2029-03-31")
    assert moved.code == 0, moved
    mou = path.read_text()
    assert mou.startswith("MEMORANDUM OF UNDERSTANDING")
    assert "Riverside Vocational College, [address]\nRepresented by: Jana Weber, Partnership Officer" in mou
    assert "Partner 0, [address]\nRepresented by: Person 0" in mou
    assert "To outline the intention of both parties to cooperate in training." in mou
    assert "- Joint development and delivery of training programmes" in mou
    assert "This MoU is valid from 1 April 2027 to 31 March 2029." in mou
    assert "This document is not legally binding" in mou


def test_maintenance_brings_quarterly_check_ins_while_it_lasts(uow, cli, tmp_path):
    queue(uow, tmp_path, count=1, notify_staff="team@school.test")
    outbox, clock = FakeOutbox(), Clock(MONDAY_10_UTC)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    assert cli("partners", "advance", "1", "maintenance", "--reason", "check-ins start").code == 0
    uow.session.expire_all()
    [check_in] = [s for s in steps(uow) if s.template == "check_in"]
    clock.now = check_in.due_at + timedelta(hours=1)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    check, reminder = outbox.sent[-2:]
    assert check["Subject"] == "Our regular check-in: Riverside Vocational College and Partner 0"
    assert "review the progress" in check.get_body(("plain",)).get_content()
    assert (reminder["To"], reminder["Subject"]) == ("team@school.test", "Reminder: check-in with Partner 0")
    [second] = [s for s in steps(uow) if s.name == "check-in-2"]
    assert second.due_at - clock.now == timedelta(days=91)
    assert cli("partners", "advance", "1", "proposal", "--reason", "new project starts").code == 0
    clock.now = second.due_at + timedelta(hours=1)
    [outcome] = send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    assert outcome.result == "cancelled" and "not maintenance" in outcome.detail
