"""Exploration meetings with real parts: the invitation lands in the partner's Dovecot
mailbox as RFC 6047 mail; answers (inline, and attached as Google sends them) come back
through the watcher and show on the meeting."""

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from tests.support.icaljs import ensure_icaljs, parse_with_icaljs
from tests.support.mailboxes import messages, wait_for
from tests.test_inbox_watcher import reply, sent_campaign, step_of  # noqa: F401  (the fixture)
from worker.processes import start_watchers


def answer_ics(uid: str, attendee: str, partstat: str, sequence: int = 0, comment: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nPRODID:-//Partner//Calendar//EN\r\nVERSION:2.0\r\nMETHOD:REPLY\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nSEQUENCE:{sequence}\r\nDTSTAMP:20270302T081500Z\r\n"
        f"ATTENDEE;PARTSTAT={partstat}:mailto:{attendee.upper()}\r\n"
        + (f"COMMENT:{comment}\r\n" if comment else "")
        + "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def answer_mail(sender: str, to: str, subject: str, ics: str, attached: bool) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content(subject)
    if attached:  # as Google Calendar sends it: application/ics, no method parameter
        msg.add_attachment(ics.encode(), maintype="application", subtype="ics", filename="invite.ics")
    else:
        msg.add_alternative(ics, subtype="calendar", params={"method": "REPLY"})
    return msg.as_bytes()


def test_invitation_structure_and_answers_logged(sent_campaign, cli, dovecot, tmp_path):
    """Invitations by hand (the campaign invites nobody on its own and offers no next slot)."""
    campaign, app, stop = sent_campaign
    first, second = campaign.addresses[0], campaign.addresses[1]
    at = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%dT10:00")
    preview = cli("meeting", "invite", first, "--at", at, "--dry-run", "--out", tmp_path / "preview")
    assert preview.code == 0, preview
    assert sorted(p.suffix for p in (tmp_path / "preview").iterdir()) == [".eml", ".ics"]
    assert json.loads(cli("meeting", "list", "--json").out) == []  # a dry run stores nothing
    for address in (first, second):
        sent = cli("meeting", "invite", address, "--at", at)
        assert sent.code == 0, sent

    invitation = wait_for(
        lambda: next((m for m in messages(dovecot, first) if "Invitation" in m["Subject"]), None),
        what="the invitation in the partner's mailbox",
    )
    assert invitation.get_content_type() == "multipart/mixed"
    alternative = next(invitation.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    calendar_part = list(alternative.iter_parts())[2]
    assert calendar_part.get_param("method") == "REQUEST" and calendar_part.get_content_charset() == "utf-8"
    attachments = {a.get_filename(): a for a in invitation.iter_attachments()}
    assert list(attachments) == ["invite.ics"]  # the one-pager went with the first contact
    ics = attachments["invite.ics"].get_content()
    ics = ics if isinstance(ics, bytes) else ics.encode()
    assert b"METHOD:REQUEST" in ics and "Welcome and Introductions" in invitation.get_body(("plain",)).get_content()
    assert all(not c.errors for c in icalendar.Calendar.from_ical(ics).walk())
    vobject.readOne(ics.decode(), validate=True)
    js = parse_with_icaljs(ensure_icaljs(), ics)
    assert js["organizer"] == f"mailto:{campaign.sender}" and js["attendees"][0]["value"] == f"mailto:{first}"
    assert all(campaign.sender not in a["value"] for a in js["attendees"])  # never the organiser's own mailbox

    uid_of = {m["attendees"][0]["email"]: m["uid"] for m in json.loads(cli("meeting", "list", "--json").out)}
    [thread] = start_watchers(app, stop, idle_check_seconds=1)
    dovecot.deliver(
        campaign.sender,
        answer_mail(
            first,
            campaign.sender,
            "Accepted: First exploration meeting",
            answer_ics(uid_of[first], first, "ACCEPTED", comment="See you"),
            attached=False,
        ),
    )
    dovecot.deliver(
        campaign.sender,
        answer_mail(
            second,
            campaign.sender,
            "Declined: First exploration meeting",
            answer_ics(uid_of[second], second, "DECLINED"),
            attached=True,
        ),
    )

    def answers():
        listed = json.loads(cli("meeting", "list", "--json").out)
        return {m["attendees"][0]["email"]: m["attendees"][0]["answer"] for m in listed}

    wait_for(lambda: answers() == {first: "ACCEPTED", second: "DECLINED"}, timeout=30, what="both answers recorded")
    listed = {m["attendees"][0]["email"]: m for m in json.loads(cli("meeting", "list", "--json").out)}
    assert listed[first]["attendees"][0]["comment"] == "See you"
    timeline = json.loads(cli("partners", "show", first, "--json").out)["timeline"]
    assert any(e["event"] == "meeting" and e["direction"] == "in" and "accepted" in e.get("text", "") for e in timeline)

    moved = cli("meeting", "reschedule", str(listed[first]["id"]), "--at", at.replace("T10", "T14"))
    assert moved.code == 0, moved
    dovecot.deliver(
        campaign.sender,
        answer_mail(
            first,
            campaign.sender,
            "Accepted (old)",
            answer_ics(uid_of[first], first, "DECLINED", sequence=0),
            attached=False,
        ),
    )
    wait_for(
        lambda: any(
            "older version" in (e.get("text") or "")
            for e in json.loads(cli("partners", "show", first, "--json").out)["timeline"]
        ),
        what="the stale answer logged",
    )
    assert answers()[first] == "NEEDS-ACTION"  # moved: asked again; the stale decline changed nothing
    cancelled = cli("meeting", "cancel", str(listed[second]["id"]))
    assert cancelled.code == 0
    wait_for(lambda: any("Cancelled" in m["Subject"] for m in messages(dovecot, second)), what="the cancellation")
    stop.set()
    thread.join(10)


@pytest.mark.parametrize(
    "sent_campaign", [{"meeting": {"auto_invite": True, "offer_next_slot_on_decline": True}}], indirect=True
)
def test_a_reply_brings_an_invitation_and_a_decline_the_next_free_slot(sent_campaign, cli, dovecot, uow):
    campaign, app, stop = sent_campaign
    partner = campaign.addresses[2]
    [thread] = start_watchers(app, stop, idle_check_seconds=1)
    step = step_of(uow, partner)
    dovecot.deliver(
        campaign.sender, reply(partner, campaign.sender, "Re: Proposal", "Yes, let us meet.", step.message_id)
    )
    invitation = wait_for(
        lambda: next((m for m in messages(dovecot, partner) if m["Subject"].startswith("Invitation")), None),
        what="the automatic invitation",
    )
    text = invitation.get_body(("plain",)).get_content()
    assert "If this time does not suit you, please reply with one that does" in text
    [meeting] = json.loads(cli("meeting", "list", "--json").out)
    start = datetime.fromisoformat(meeting["start"]).astimezone(ZoneInfo(meeting["timezone"]))
    assert start.weekday() < 5 and 10 <= start.hour < 16
    assert start.date() >= (datetime.now(UTC) + timedelta(days=2)).date()  # at least 2 working days ahead
    dovecot.deliver(
        campaign.sender,
        answer_mail(
            partner, campaign.sender, "Declined", answer_ics(meeting["uid"], partner, "DECLINED"), attached=True
        ),
    )
    update = wait_for(
        lambda: next((m for m in messages(dovecot, partner) if m["Subject"].startswith("Updated invitation")), None),
        what="the next free slot offered",
    )
    [moved] = json.loads(cli("meeting", "list", "--json").out)
    assert (moved["uid"], moved["sequence"]) == (meeting["uid"], 1) and moved["start"] > meeting["start"]
    assert b"SEQUENCE:1" in next(a for a in update.iter_attachments() if a.get_filename() == "invite.ics").get_content()
    stop.set()
    thread.join(10)
