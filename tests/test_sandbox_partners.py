"""The demo's scripted partners answer in the shapes real servers and clients use: the
product's own classifier and calendar reader must recognise every answer they make."""

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from outreach.calendar.invite import MeetingPlan, Person, build, read_answer
from outreach.inbound.classify import classify
from outreach.inbound.message import InboundMessage
from outreach.sandbox.partners import CAST_ORDER, Behaviour, answers, cast

OURS = "Jana Weber <partnerships@riverside.example>"
THEIRS = "Klaus Becker <k.becker@nordhafen.example>"


def received(subject="Vorschlag für eine mögliche Zusammenarbeit", in_reply_to=None, calendar=None) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = OURS, THEIRS, subject
    message["Message-ID"] = "<first@riverside.example>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content("Guten Tag Herr Becker,\n\nwir suchen Partner für die duale Ausbildung.\n")
    if calendar is not None:
        message.add_alternative(calendar, maintype="text", subtype="calendar", params={"method": "REQUEST"})
    return message_from_bytes(message.as_bytes(), policy=policy.default)


def as_inbound(message: EmailMessage) -> InboundMessage:
    raw = message.as_bytes()
    return InboundMessage(raw, message_from_bytes(raw, policy=policy.default))


@pytest.mark.parametrize(
    "behaviour, kind",
    [
        (Behaviour.ACCEPTS, "reply"),
        (Behaviour.DECLINES, "reply"),
        (Behaviour.ASKS, "reply"),
        (Behaviour.OUT_OF_OFFICE, "auto_reply"),
        (Behaviour.BOUNCES, "bounce"),
        (Behaviour.OPTS_OUT, "opt_out"),
    ],
)
def test_each_first_answer_is_recognised(behaviour, kind):
    [answer] = answers(behaviour, received(), date(2026, 11, 30))
    result = classify(as_inbound(answer))
    assert result.kind == kind
    if kind == "bounce":
        assert result.recipient == "k.becker@nordhafen.example" and result.permanent
        assert "<first@riverside.example>" in result.returned_ids
    if kind == "auto_reply":
        assert result.return_date == date(2026, 12, 14)
    if kind in ("reply", "opt_out"):
        assert answer["In-Reply-To"] == "<first@riverside.example>"
        assert "partnerships@riverside.example" in answer["To"]


def test_a_silent_partner_answers_nothing_and_follow_ups_get_no_second_reply():
    assert answers(Behaviour.SILENT, received(), date(2026, 11, 30)) == []
    follow_up = received("Re: Vorschlag", in_reply_to="<first@riverside.example>")
    for behaviour in Behaviour:
        assert answers(behaviour, follow_up, date(2026, 11, 30), earlier=1) == []


def test_after_the_meeting_the_partner_who_accepted_agrees_to_the_next_steps():
    [answer] = answers(Behaviour.ACCEPTS, received("Next steps after our meeting"), date(2026, 12, 3), earlier=1)
    assert "Agreed on the next steps" in answer.get_content()
    assert answers(Behaviour.ASKS, received("Next steps"), date(2026, 12, 3), earlier=1) == []


def invitation(sequence=0) -> bytes:
    plan = MeetingPlan(
        uid="meeting-1@riverside.example",
        sequence=sequence,
        start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
        duration=timedelta(minutes=45),
        timezone="Europe/Berlin",
        summary="First exploration meeting",
        description="Agenda",
        organizer=Person("partnerships@riverside.example", "Jana Weber"),
        attendees=(Person("k.becker@nordhafen.example", "Klaus Becker"),),
    )
    return build(plan)


@pytest.mark.parametrize("behaviour, partstat", [(Behaviour.ACCEPTS, "ACCEPTED"), (Behaviour.DECLINES, "DECLINED")])
def test_calendar_answers_are_itip_replies_to_the_same_meeting(behaviour, partstat):
    [answer] = answers(behaviour, received("Invitation", calendar=invitation()), date(2026, 11, 30))
    inbound = as_inbound(answer)
    assert classify(inbound).kind == "calendar_reply"
    found = read_answer(inbound.calendar())
    assert (found.method, found.uid, found.sequence) == ("REPLY", "meeting-1@riverside.example", 0)
    assert (found.attendee, found.partstat) == ("k.becker@nordhafen.example", partstat)


def test_the_decliner_does_not_answer_the_next_slot_and_others_ignore_invitations():
    assert answers(Behaviour.DECLINES, received("Updated", calendar=invitation(1)), date(2026, 11, 30)) == []
    assert answers(Behaviour.ASKS, received("Invitation", calendar=invitation()), date(2026, 11, 30)) == []


def test_the_cast_deals_every_outcome_then_silence():
    addresses = [f"c{i}@p.example" for i in range(9)]
    dealt = cast(addresses)
    assert [dealt[a] for a in addresses[:7]] == CAST_ORDER
    assert dealt["c7@p.example"] is dealt["c8@p.example"] is Behaviour.SILENT
