"""Numbers and dates in mail from strangers are bounded: a calendar answer whose SEQUENCE,
time or fields are broken or out of range is Unreadable (a to-do for staff, never an
exception); a date years ahead in an out-of-office or a "not now" reads as no date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from outreach.calendar.invite import MAX_SEQUENCE, Answer, Unreadable, read_answer
from outreach.inbound.dates import return_date
from outreach.inbound.intent import IntentKind, intent_of


def reply(
    sequence: str = "1",
    method: str = "REPLY",
    start: str = "20270309T090000Z",
    uid: str = "m-1@school.test",
    partstat: str = "ACCEPTED",
    comment: str = "See you",
) -> str:
    return (
        f"BEGIN:VCALENDAR\r\nPRODID:-//x//y//EN\r\nVERSION:2.0\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nSEQUENCE:{sequence}\r\nDTSTAMP:20270302T081500Z\r\nDTSTART:{start}\r\n"
        f"ATTENDEE;PARTSTAT={partstat}:mailto:k@nordhafen.test\r\nCOMMENT:{comment}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.mark.parametrize(
    "sequence", ["abc", str(2**63), str(2**64 + 1), str(MAX_SEQUENCE + 1), "-1", "1.5", "", "9" * 5000]
)
def test_a_sequence_that_is_no_number_or_out_of_range_is_unreadable(sequence):
    found = read_answer(reply(sequence))
    assert isinstance(found, Unreadable) and "SEQUENCE" in found.reason
    assert len(found.reason) < 200  # the stranger's value is shown short


def test_the_largest_sequence_is_read():
    assert read_answer(reply(str(MAX_SEQUENCE))).sequence == MAX_SEQUENCE


@pytest.mark.parametrize("start", ["99991311T090000Z", "00010101T000000Z", "22500101T090000Z", "20270311", "garbage"])
def test_a_counter_proposal_at_no_readable_time_is_unreadable(start):
    found = read_answer(reply(method="COUNTER", start=start))
    assert isinstance(found, Unreadable) and "proposed start" in found.reason


def test_a_counter_proposal_in_floating_time_reads_as_utc():
    found = read_answer(reply(method="COUNTER", start="20270311T090000"))
    assert found.proposed_start == datetime(2027, 3, 11, 9, 0, tzinfo=UTC)


def test_values_too_long_for_the_logbook_are_unreadable_and_a_long_comment_is_cut():
    assert isinstance(read_answer(reply(uid="u" * 300)), Unreadable)
    assert isinstance(read_answer(reply(partstat="X-" + "A" * 40)), Unreadable)
    found = read_answer(reply(comment="c" * 10_000))
    assert isinstance(found, Answer) and len(found.comment) == 2000


def test_far_dates_in_replies_read_as_no_date():
    sent = date(2027, 3, 1)
    assert return_date("I am back on 31.12.9999", sent) is None
    assert return_date("I am back on 12.3.2027", sent) == date(2027, 3, 12)
    for text in ("Not now, please write again in 99999999999999 weeks.", "Not now: contact me after 31.12.9999."):
        intent = intent_of(text, sent, "k@nordhafen.test", ("vet@school.test",))
        assert intent.kind is IntentKind.NOT_NOW and intent.until <= date(2029, 3, 1)
