"""Classifying inbound mail: a labelled set from real mail programs and servers, the
command line, and malformed messages that must never raise."""

import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.inbound.classify import InboundKind, classify
from outreach.inbound.message import InboundMessage
from outreach.inbound.quotes import new_text
from tests.samples.inbound import all_samples

SAMPLES = list(all_samples())


def test_the_labelled_set_is_large_and_covers_every_kind():
    kinds = Counter(expected["kind"] for _, _, expected in SAMPLES)
    assert len(SAMPLES) >= 60
    assert set(kinds) == {"reply", "auto_reply", "bounce", "delayed", "complaint", "opt_out", "calendar_reply", "other"}


def test_accuracy_per_kind_and_every_human_reply_is_a_reply(capsys):
    right, total, misses = Counter(), Counter(), []
    for name, raw, expected in SAMPLES:
        got = classify(InboundMessage.parse(raw)).as_json()
        total[expected["kind"]] += 1
        if all(got.get(key) == value for key, value in expected.items()):
            right[expected["kind"]] += 1
        else:
            misses.append((name, expected, got))
    with capsys.disabled():
        print(
            "\naccuracy per kind: "
            + ", ".join(
                f"{kind} {right[kind]}/{total[kind]} ({right[kind] / total[kind]:.0%})" for kind in sorted(total)
            )
        )
    assert right["reply"] == total["reply"], [m for m in misses if m[1]["kind"] == "reply"]
    assert sum(right.values()) / len(SAMPLES) >= 0.95, misses


@pytest.mark.parametrize(
    "name, raw, expected",
    [s for s in SAMPLES if s[2]["kind"] == "bounce"],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bounces_name_the_failed_recipient_and_hard_or_soft(name, raw, expected):
    result = classify(InboundMessage.parse(raw))
    assert (result.recipient, result.permanent) == (expected["recipient"], expected["permanent"])


def test_the_command_line_prints_one_object_per_file(cli_no_db, tmp_path):
    raw_of = {name: raw for name, raw, _ in SAMPLES}
    files = []
    for name in (
        "reply/outlook-de",
        "bounce/gmail-dsn-rfc822-headers",
        "auto_reply/exchange-de",
        "opt_out/de-verteiler",
    ):
        path = tmp_path / (name.replace("/", "-") + ".eml")
        path.write_bytes(raw_of[name])
        files.append(path)
    result = cli_no_db("inbound", "classify", *files, "--json")
    assert result.code == 0, result
    by_file = {item["file"]: item for item in json.loads(result.out)}
    reply = by_file[str(files[0])]
    assert {k: reply[k] for k in ("file", "kind", "intent", "text")} == {
        "file": str(files[0]),
        "kind": "reply",
        "intent": "interested",
        "text": (
            "Hallo Frau Weber,\n\ngerne! Wann passt es Ihnen für ein kurzes Gespräch?\n\nViele Grüße\nJürgen Schäfer"
        ),
    }
    assert 0.5 < reply["confidence"] <= 1 and isinstance(reply["acts"], bool) and reply["evidence"]
    assert {"until", "referral_email", "referral_name"} <= reply.keys()
    bounce = by_file[str(files[1])]
    assert {k: bounce[k] for k in ("kind", "recipient", "reason", "permanent", "status")} == {
        "kind": "bounce",
        "recipient": "gone@nordhafen.test",
        "reason": "user_unknown",
        "permanent": True,
        "status": "5.1.1",
    }
    assert {k: by_file[str(files[2])][k] for k in ("kind", "return_date")} == {
        "kind": "auto_reply",
        "return_date": "2027-03-15",
    }
    assert by_file[str(files[3])]["kind"] == "opt_out"
    assert cli_no_db("inbound", "classify", tmp_path / "missing.eml").code == 2


def test_only_the_new_text_of_a_reply_is_kept_for_the_log():
    text = (
        "Gerne, Dienstag passt.\n\nViele Grüße\nJürgen\n\n"
        "Am 01.03.2027 um 10:00 schrieb Jana Weber <j@x.test>:\n> Sehr geehrter ..."
    )
    assert new_text(text) == "Gerne, Dienstag passt.\n\nViele Grüße\nJürgen"
    outlook = "Yes.\n\n________________________________\nFrom: Jana\nSent: Monday"
    assert new_text(outlook) == "Yes."


MALFORMED = [
    (
        b'From: a@b.test\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        b"--XYZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XY"
    ),
    (
        b'From: a@b.test\r\nSubject: bad charset\r\nContent-Type: text/plain; charset="x-unknown-9"\r\n\r\n'
        b"\xff\xfe caf\xe9\r\n"
    ),
    "From: Jürgen <j@b.test>\r\nSubject: Grüße\r\n\r\nhallo\r\n".encode("latin-1"),
    b"From: a@b.test\r\nX-Long: " + b"x" * 200_000 + b"\r\nSubject: huge\r\n\r\nbody\r\n",
    b"Subject: no message id, no from\r\n\r\nbody\r\n",
    (
        b"From: a@b.test\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: c@d.test\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\nx\r\n"
    ),
    b"From: <<<@@@>>>\r\nTo: ,,,;;\r\nIn-Reply-To: <unterminated\r\nDate: not a date\r\n\r\n",
    b"\x00\x01\x02 not mail at all",
    b"",
    (
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\ngarbage\r\n--b--"
    ),
    b"Content-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n",
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_messages_never_raise(raw):
    message = InboundMessage.parse(raw)
    result = classify(message)
    assert result.kind in set(InboundKind)
    (message.sender, message.subject, message.message_id, message.thread_ids, message.date, message.text)


HEADER_NAMES = st.sampled_from(
    [
        "From",
        "To",
        "Subject",
        "Auto-Submitted",
        "Content-Type",
        "In-Reply-To",
        "References",
        "Date",
        "Message-ID",
        "Precedence",
        "X-Autoreply",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.lists(st.tuples(HEADER_NAMES, st.binary(max_size=120)), max_size=8), body=st.binary(max_size=2000))
def test_generated_messages_never_raise(headers, body):
    raw = (
        b"".join(
            name.encode() + b": " + value.replace(b"\r", b"").replace(b"\n", b" ") + b"\r\n" for name, value in headers
        )
        + b"\r\n"
        + body
    )
    message = InboundMessage.parse(raw)
    classify(message)
    (message.sender, message.subject, message.thread_ids, message.text, new_text(message.text))


def test_hostile_shapes_are_read_within_the_caps():
    """bench/hostile_inbound.py measures time and memory; here: each is read, never raises,
    and what is inspected stays within the caps."""
    from outreach.inbound.message import MIME_DEPTH_CAP, PART_CAP, HeaderFields

    nested = b"From: a@b.test\r\nSubject: n\r\n" + b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(1000)
    )
    long_from = b"From: " + b"a" * 100_000 + b"\r\nSubject: x\r\n\r\nbody\r\n"
    params = b"From: a@b.test\r\nContent-Type: text/plain" + b'; p="v"' * 20_000 + b"\r\n\r\nbody\r\n"
    words = b"From: a@b.test\r\nSubject: " + b" ".join([b"=?utf-8?q?x?="] * 50_000) + b"\r\n\r\nbody\r\n"
    for raw in (nested, long_from, params, words):
        message = InboundMessage.parse(raw)
        classify(message)
        HeaderFields(raw).senders
        assert len(list(message.parts())) <= min(PART_CAP, MIME_DEPTH_CAP + 1)
        assert len(message.header("Content-Type")) <= 2048 and len(message.subject) <= 16 * 1024


@pytest.mark.parametrize(
    "text, back",
    [
        ("I am out of the office until 7 January 2027.", "2027-01-07"),
        ("Ich bin bis zum 07.01.2027 nicht im Büro.", "2027-01-07"),
        ("Je suis absent jusqu'au 7 janvier.", "2027-01-07"),
        ("Estaré fuera hasta el 7 de enero.", "2027-01-07"),
        ("Sono fuori ufficio fino al 7 gennaio.", "2027-01-07"),
        ("Ik ben afwezig tot en met 7 januari.", "2027-01-07"),
        ("Jestem nieobecny do 7 stycznia.", "2027-01-07"),
        ("Estou ausente até 7 de janeiro, com acesso limitado ao email.", "2027-01-07"),
    ],
)
def test_the_return_date_of_an_out_of_office_answer_in_each_language(text, back):
    from datetime import date

    from outreach.inbound.dates import return_date

    assert return_date(text, date(2026, 12, 20)).isoformat() == back
