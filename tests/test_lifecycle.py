"""After the first meeting: the MoU draft and quarterly check-ins, against a real database."""

import json
from datetime import timedelta

from tests.test_sending_rules import MONDAY_10_UTC, Clock, FakeOutbox, queue, run_tick, send_all, steps


def test_collaboration_setup_writes_the_mou_draft(uow, cli, tmp_path):
    queue(uow, tmp_path, count=1)
    path = tmp_path / "mou.md"
    moved = cli(
        "partners",
        "advance",
        "1",
        "collaboration_setup",
        "--reason",
        "agreement signed",
        "--mou",
        path,
        "--valid-from",
        "2027-04-01",
        "--valid-to",
        "2029-03-31",
    )
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


def test_the_mou_as_a_word_file_carries_parties_scope_clauses_deliverables_and_contacts(uow, cli, tmp_path):
    from docx import Document

    from outreach.domain.outcome import Outcome
    from outreach.services.meetings import invitations as meetings
    from tests.test_meeting_rules import accepted_meeting

    meeting, _, _, clock = accepted_meeting(uow, tmp_path)
    outcome = Outcome(
        takeaways=["A mobility partnership"],
        partnership_types=["mobility"],
        actions=[
            {"what": "Draft the learning agreement", "owner": "Riverside Vocational College", "due": "2027-04-15"}
        ],
        contacts={"ours": ["Jana Weber"], "theirs": ["Person 0"]},
    )
    meetings.record_outcome(uow.session, meeting, outcome, "staff", clock.now)
    uow.commit()
    path = tmp_path / "mou.docx"
    moved = cli(
        "partners",
        "advance",
        "1",
        "collaboration_setup",
        "--reason",
        "agreed",
        "--mou",
        path,
        "--valid-from",
        "2027-04-01",
    )
    assert moved.code == 0, moved
    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    assert headings[0] == "MEMORANDUM OF UNDERSTANDING"
    for heading in (
        "Purpose of this MoU",
        "Scope of cooperation",
        "Duration",
        "Non-binding nature",
        "Data protection",
        "Deliverables",
        "Key performance indicators",
        "Contact persons",
        "Signed",
    ):
        assert heading in headings, heading
    assert "Riverside Vocational College, [address]" in text and "Partner 0, [address]" in text
    assert "Exchange of staff and learners" in text and "Joint development and delivery of training programmes" in text
    assert "until terminated by either party in writing" in text and "(EU) 2016/679" in text
    assert "Draft the learning agreement (Riverside Vocational College, by 15 April 2027)" in text
    assert "[indicator: target, unit, due date]" in text
    assert "For Partner 0: Person 0" in text and "For Riverside Vocational College: Jana Weber" in text
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Draft the learning agreement (Riverside Vocational College, by 15 April 2027)" in bullets


def test_kpis_are_set_updated_listed_in_check_ins_and_carried_by_the_mou(uow, cli, tmp_path):
    queue(uow, tmp_path, count=1)
    outbox, clock = FakeOutbox(), Clock(MONDAY_10_UTC)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    added = cli(
        "partners", "kpi", "1", "Learners on placement", "--target", "10", "--unit", "learners", "--due", "2027-12-31"
    )
    assert added.code == 0, added
    assert (
        cli("partners", "kpi", "1", "Joint applications", "--target", "1", "--unit", "application|applications").code
        == 0
    )
    assert cli("partners", "kpi", "1", "Learners on placement", "3").code == 0
    listed = cli("partners", "kpi", "1", "--json").out
    assert '"current": 3.0' in listed and '"progress": 30' in listed and '"updated_by"' in listed
    assert cli("partners", "kpi", "1", "Learners on placement", "--target", "5", "--unit", "x").code == 2  # twice
    assert cli("partners", "kpi", "1", "Unknown KPI", "2").code == 3  # not found

    mou = tmp_path / "mou.md"
    assert cli("partners", "advance", "1", "collaboration_setup", "--reason", "agreed", "--mou", mou).code == 0
    assert "- Learners on placement: 10\u00a0learners, by 31 December 2027" in mou.read_text()
    assert cli("partners", "advance", "1", "maintenance", "--reason", "check-ins start").code == 0
    uow.session.expire_all()
    [check_in] = [s for s in steps(uow) if s.template == "check_in"]
    clock.now = check_in.due_at + timedelta(hours=1)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    mail = next(m for m in outbox.sent if m["Subject"].startswith("Our regular check-in"))
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert (
        # the check-in goes in 2027: its due date in the same year is written without the year
        "Where our KPIs stand:\n- Learners on placement: 3 (target: 10\u00a0learners, by 31 December)\n"
        "- Joint applications: ? (target: 1\u00a0application)\n" in text
    )
    assert "Could you send me your latest figures" in text


def test_check_ins_as_one_recurring_meeting_series_with_kpis(uow, cli, tmp_path, monkeypatch):
    import icalendar
    import vobject

    from tests.support.icaljs import ensure_icaljs, parse_with_icaljs

    sent = []

    class Client:  # the campaign's mailbox
        def __init__(self, mailbox):
            pass

        def send(self, message, sender, recipients):
            sent.append(message)

        def file_sent(self, message, when):
            pass

        def close(self):
            pass

    monkeypatch.setattr("outreach.mail.mailbox.MailboxClient", Client)
    queue(uow, tmp_path, count=1, check_ins={"as_meetings": True, "every_months": 3})
    outbox, clock = FakeOutbox(), Clock(MONDAY_10_UTC)
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    assert cli("partners", "kpi", "1", "Learners on placement", "--target", "10", "--unit", "learners").code == 0
    moved = cli("partners", "advance", "1", "maintenance", "--reason", "partnership running")
    assert moved.code == 0 and "a recurring check-in meeting every 3 months" in moved.out, moved
    [invitation] = sent
    assert invitation["Subject"] == "Invitation: Regular check-in – Riverside Vocational College and Partner 0"
    ics = next(p.get_content() for p in invitation.walk() if p.get_content_type() == "text/calendar")
    ics = ics.encode() if isinstance(ics, str) else ics
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event["RRULE"].to_ical() == b"FREQ=MONTHLY;INTERVAL=3"
    vobject.readOne(ics.decode(), validate=True)
    js = parse_with_icaljs(ensure_icaljs(), ics)
    assert js["rrule"] == "FREQ=MONTHLY;INTERVAL=3" and len(js["occurrences"]) == 3
    text = invitation.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "every 3 months" in text and "- Learners on placement: ? (target: 10\u00a0learners)" in text
    assert not [s for s in steps(uow) if s.template == "check_in"]  # meetings instead of check-in mails

    assert cli("partners", "kpi", "1", "Learners on placement", "4").code == 0
    meeting_id = json.loads(cli("meeting", "list", "--json").out)[0]["id"]
    assert cli("meeting", "reschedule", str(meeting_id), "--at", "2027-06-09T10:00").code == 0
    update = sent[-1]
    assert update["Subject"].startswith("Updated invitation")
    assert "- Learners on placement: 4 (target: 10\u00a0learners)" in update.get_body(("plain",)).get_content().replace(
        "\r\n", "\n"
    )

    assert cli("partners", "advance", "1", "proposal", "--reason", "a new project").code == 0
    assert sent[-1]["Subject"].startswith("Cancelled: Regular check-in")
    assert (
        b"METHOD:CANCEL"
        in next(p.get_content() for p in sent[-1].walk() if p.get_content_type() == "text/calendar").encode()
    )


def test_an_outline_proposal_from_the_outcome_kept_with_the_partner_and_sent_attached(uow, cli, tmp_path, monkeypatch):
    from docx import Document

    from outreach.domain.outcome import Outcome
    from outreach.services.meetings import invitations as meetings
    from tests.test_meeting_rules import accepted_meeting

    monkeypatch.setenv("OUTREACH_DATA", str(tmp_path / "data"))
    meeting, _, outbox, clock = accepted_meeting(uow, tmp_path)
    meetings.record_outcome(
        uow.session,
        meeting,
        Outcome(
            takeaways=["Two apprentices in logistics from September"],
            partnership_types=["hr_talent"],
            actions=[
                {"what": "Host two apprentices", "owner": "Partner 0", "due": "2027-09-01"},
                {"what": "Prepare the placement plan", "owner": "Riverside Vocational College", "due": "2027-06-15"},
            ],
            contacts={"ours": ["Jana Weber"], "theirs": ["Person 0"]},
        ),
        "staff",
        clock.now,
    )
    uow.commit()
    drafted = cli(
        "partners", "proposal", "1", "--funding", "Erasmus+ KA1 learning mobility", "--out", tmp_path / "p.docx"
    )
    assert drafted.code == 0, drafted
    text = "\n".join(p.text for p in Document(str(tmp_path / "p.docx")).paragraphs)
    assert text.startswith("OUTLINE PROPOSAL") and "Erasmus+ KA1 learning mobility" in text
    assert "Partner 0: Host two apprentices" in text
    assert text.index("15 June 2027: Prepare the placement plan") < text.index("1 September 2027: Host two apprentices")
    [kept] = (tmp_path / "data" / "documents" / "partner-1").glob("proposal-*.docx")
    shown = cli("partners", "show", "1", "--json").out
    assert "Outline proposal drafted" in shown and str(kept) in shown.replace("\\\\", "\\")

    letter = tmp_path / "letter.txt"
    letter.write_text("Our outline proposal\nDear Person 0,\n\nplease find our outline proposal attached.\n")
    mailed = cli("partners", "mail", "1", "--text", letter, "--attach", kept)
    assert mailed.code == 0, mailed
    send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
    sent = next(m for m in outbox.sent if m["Subject"] == "Our outline proposal")
    [attached] = list(sent.iter_attachments())
    assert attached.get_filename() == kept.name
    assert attached.get_content_type() == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert cli("partners", "mail", "1", "--text", letter, "--attach", tmp_path / "missing.pdf").code == 2


def test_the_partnership_record_results_opportunities_and_the_report(uow, cli, tmp_path):
    queue(uow, tmp_path, count=2)
    assert cli("partners", "advance", "1", "maintenance", "--reason", "running").code == 0
    assert cli("partners", "record", "1", "--tools", "Teams channel, shared drive", "--schedule", "quarterly").code == 0
    assert cli("partners", "kpi", "1", "Learners on placement", "--target", "10", "--unit", "learners").code == 0
    assert cli("partners", "kpi", "1", "Learners on placement", "12").code == 0
    assert cli("partners", "result", "1", "Two apprentices were hired after their placement.").code == 0
    raised = cli("partners", "result", "1", "They ask about a joint KA2 application.", "--opportunity")
    assert raised.code == 0 and "to-do raised" in raised.out
    assert "New opportunity with Partner 0: They ask about a joint KA2 application." in cli("todo").out.replace(
        "\n", " "
    )
    rows = json.loads(cli("report", "--partnerships", "--json").out)
    assert [
        (r["partner"], r["phase"], r["kpi_status"], r["results"], r["tools"], r["days_in_phase"]) for r in rows
    ] == [("Partner 0", "maintenance", "1 of 1 reached", 2, "Teams channel, shared drive", 0)]
    assert "Partner 1" not in cli("report", "--partnerships").out  # still scouting
