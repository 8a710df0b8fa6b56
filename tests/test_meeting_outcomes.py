"""After the exploration meeting: staff record what was agreed; the next-steps mail is drafted
from that record and goes out only once approved (or some hours later where the campaign says
so). Without a record nothing content-free is sent: a to-do reminds staff instead."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from outreach.db.models import Meeting, Step
from outreach.domain.vocabulary import StepStatus
from outreach.services.meetings import invitations as meetings
from outreach.services.partners.todos import open_todos
from tests.test_meeting_rules import accepted_meeting, next_steps
from tests.test_sending_rules import run_tick, send_all

OUTCOME = """takeaways:
  - Both sides want a training partnership in warehouse logistics
  - Two apprentices could start in September
actions:
  - what: Send the module descriptions
    owner: Riverside Vocational College
    due: 2027-03-26
  - what: Check the supervisors' availability
    owner: Partner 0
contacts:
  ours: [Jana Weber]
  theirs: [Person 0]
partnership_types: [training, hr_talent]
notes: They prefer Tuesdays. (for staff only)
"""


def test_no_record_no_mail_and_a_to_do_instead(uow, tmp_path, cli):
    meeting, _, outbox, clock = accepted_meeting(uow, tmp_path)
    [step] = next_steps(uow)
    assert step.status is StepStatus.HELD and "waiting for the meeting's outcome" in step.last_error
    clock.now = meeting.end_at + timedelta(days=3)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    assert not [m for m in outbox.sent if m["Subject"].startswith("Next steps")]
    assert meetings.remind_outcomes(uow.session, clock.now) == 1
    uow.commit()
    [todo] = [t for t in open_todos(uow.session) if t.kind == "outcome"]
    assert f"meeting {meeting.id}" in todo.text
    assert cli("partners", "resume", "1").code == 0  # held mail of the partner goes again, but not this one
    uow.session.expire_all()
    assert next_steps(uow)[0].status is StepStatus.HELD
    assert cli("steps", "resume", str(step.id)).code == 2


def test_a_recorded_and_approved_outcome_becomes_the_next_steps_mail(uow, tmp_path, cli):
    meeting, _, outbox, clock = accepted_meeting(uow, tmp_path)
    notes = tmp_path / "outcome.yaml"
    notes.write_text(OUTCOME)
    assert cli("meeting", "outcome", str(meeting.id), "--notes", notes).code == 0
    uow.session.expire_all()
    assert next_steps(uow)[0].status is StepStatus.HELD and "waiting for approval" in next_steps(uow)[0].last_error
    assert [t.kind for t in open_todos(uow.session)] == ["approve"]
    assert cli("meeting", "approve", str(meeting.id)).code == 0
    uow.session.expire_all()
    assert next_steps(uow)[0].status is StepStatus.SCHEDULED and not open_todos(uow.session)
    clock.now = max(clock.now, next_steps(uow)[0].due_at)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    mail = outbox.sent[-1]
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert mail["Subject"].startswith("Next steps after our meeting on")
    assert "Key takeaways:\n- Both sides want a training partnership in warehouse logistics\n" in text
    assert "- Send the module descriptions (Riverside Vocational College, by 26 March)" in text  # this year: no year
    assert "- Check the supervisors' availability (Partner 0)" in text
    assert "Partnership in view: training and recruitment." in text
    assert "Contact persons: for Riverside Vocational College: Jana Weber; for your organisation: Person 0." in text
    assert "They prefer Tuesdays" not in text  # notes are for staff


def test_a_campaign_may_send_it_hours_after_the_record_and_a_bad_file_names_its_lines(uow, tmp_path, cli):
    meeting, _, outbox, clock = accepted_meeting(uow, tmp_path)
    row = uow.session.get(Meeting, meeting.id).campaign_id
    from outreach.db.models import Campaign
    from outreach.db.types import utcnow

    campaign = uow.session.get(Campaign, row)
    campaign.settings = {
        **campaign.settings,
        "meeting": {**campaign.settings.get("meeting", {}), "next_steps_after_hours": 4},
    }
    campaign.updated_at = utcnow()
    uow.commit()
    bad = tmp_path / "bad.yaml"
    bad.write_text("takeaways: []\nactions:\n  - what: x\n    due: soon\n")
    refused = cli("meeting", "outcome", str(meeting.id), "--notes", bad)
    assert refused.code == 2
    assert "bad.yaml:1: takeaways" in refused.err and "bad.yaml:4: actions[0].due" in refused.err
    assert "bad.yaml:3: actions[0].owner" in refused.err
    notes = tmp_path / "outcome.yaml"
    notes.write_text(OUTCOME)
    assert cli("meeting", "outcome", str(meeting.id), "--notes", notes).code == 0
    uow.session.expire_all()
    [step] = next_steps(uow)
    outcome = meetings.outcome_of(uow.session, meeting.id)
    assert step.status is StepStatus.SCHEDULED and not open_todos(uow.session)
    assert step.due_at == max(meeting.end_at + timedelta(hours=2), outcome.recorded_at + timedelta(hours=4))
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Step).where(Step.template == "next_steps")) == 1
