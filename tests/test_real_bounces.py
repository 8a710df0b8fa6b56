"""Bounces nobody here wrote: the labelled real bounces that flufl.bounce (GNU Mailman's
bounce detectors) ships with its source, fetched by .ci/run into .cache/flufl-bounce. Our
reading is measured on them, kind and failed address, and the scores are printed.

And shapes of real mail the rules must read right: complaints without ARF, bounces from a
bare MAILER-DAEMON or in other languages, read receipts, Sieve rejections, challenge-response
checks, delay notices, reasons by status and by the server's words."""

from __future__ import annotations

import ast
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from outreach.inbound.classify import classify
from outreach.inbound.kinds import BounceReason, reason_name
from outreach.inbound.message import InboundMessage
from outreach.inbound.reports import reason_for
from tests.support.services import missing

CORPUS = Path(__file__).resolve().parent.parent / ".cache" / "flufl-bounce" / "tests"


def labelled_corpus() -> list[tuple[str, bytes, set[str], bool]]:
    if not (CORPUS / "test_detectors.py").is_file():
        missing("flufl.bounce's test data", "`.ci/run` downloads it into .cache/flufl-bounce")
    source = (CORPUS / "test_detectors.py").read_text()
    start = source.index("DETECTORS = [") + len("DETECTORS = ")
    table = ast.literal_eval(source[start : source.index("]\n\n\n", start) + 1])
    seen, corpus = set(), []
    for _, name, addresses, temporary in table:
        if name in seen or not addresses:
            continue
        seen.add(name)
        corpus.append((name, (CORPUS / "data" / name).read_bytes(), {a.decode().lower() for a in addresses}, temporary))
    return corpus


def test_real_bounces_are_read_right(capsys):
    corpus = labelled_corpus()
    kind_right = address_right = 0
    wrong = []
    for name, raw, addresses, temporary in corpus:
        result = classify(InboundMessage.parse(raw))
        expected = "delayed" if temporary else "bounce"
        kind_right += result.kind == expected
        address_right += getattr(result, "recipient", None) in addresses
        if result.kind != expected or getattr(result, "recipient", None) not in addresses:
            wrong.append((name, result.kind.value, getattr(result, "recipient", None)))
    with capsys.disabled():
        print(
            f"\nflufl.bounce's {len(corpus)} labelled real bounces: kind right {kind_right}, "
            f"failed address right {address_right}"
        )
    assert len(corpus) >= 100
    assert kind_right >= 0.95 * len(corpus) and address_right >= 0.95 * len(corpus), wrong


def mail(sender, subject, text, headers=None) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = sender, "vet@school.test", subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return message.as_bytes()


RETURNED = (
    "From: vet@school.test\nTo: k.becker@nordhafen.test\nSubject: Proposal\n"
    "Message-ID: <first.1@school.test>\n\nDear Klaus Becker, ...\n"
)


def with_returned(sender, subject, text, report=None, headers=None) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = sender, "vet@school.test", subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if report:
        message.add_attachment(report[1], subtype=report[0])
    returned = EmailMessage(policy=SMTP)
    for line in RETURNED.split("\n\n")[0].split("\n"):
        name, _, value = line.partition(": ")
        returned[name] = value
    returned.set_content("Dear Klaus Becker, ...")
    message.add_attachment(returned)
    return message.as_bytes()


SHAPES = [
    (
        "hotmail-jmrp-complaint",
        with_returned(
            "staff@hotmail.com",
            "complaint about message from 192.0.2.1",
            "This is an email abuse report for an email message received.",
        ),
        {"kind": "complaint"},
    ),
    (
        "yahoo-style-spam-report",
        with_returned(
            "feedback@partner-isp.test", "Email Feedback Report for IP 192.0.2.1", "A user marked this message as spam."
        ),
        {"kind": "complaint"},
    ),
    (
        "bare-mailer-daemon",
        mail("MAILER-DAEMON", "Returned mail", "550 5.1.1 <k.becker@nordhafen.test>... User unknown"),
        {"kind": "bounce", "reason": "user_unknown", "recipient": "k.becker@nordhafen.test"},
    ),
    (
        "german-subject",
        mail(
            "Mail Delivery System <postmaster@mx.nordhafen.test>",
            "Unzustellbar: Vorschlag",
            "Die Nachricht konnte nicht zugestellt werden.\n550 5.2.1 <k.becker@nordhafen.test> Postfach deaktiviert",
        ),
        {"kind": "bounce", "reason": "mailbox_disabled", "recipient": "k.becker@nordhafen.test"},
    ),
    (
        "french-subject",
        mail(
            "postmaster@mx.atelier.test",
            "Non remis : Proposition",
            "Votre message n'a pas pu être remis.\n552 5.2.2 boîte aux lettres pleine <camille@atelier.test>",
        ),
        {"kind": "bounce", "reason": "mailbox_full", "recipient": "camille@atelier.test"},
    ),
    (
        "japanese-subject",
        mail(
            "MAILER-DAEMON@mx.example.test",
            "配信不能: Proposal",
            "550 5.1.1 <user@example.test>: Recipient address rejected",
        ),
        {"kind": "bounce", "reason": "user_unknown"},
    ),
    (
        "read-receipt",
        (
            b"From: k.becker@nordhafen.test\r\nTo: vet@school.test\r\nSubject: Read: Proposal\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n"
            b"--b\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n"
            b"--b\r\nContent-Type: message/disposition-notification\r\n\r\nReporting-UA: Outlook\r\n"
            b"Final-Recipient: rfc822;k.becker@nordhafen.test\r\nOriginal-Message-ID: <first.1@school.test>\r\n"
            b"Disposition: manual-action/MDN-sent-manually; displayed\r\n--b--\r\n"
        ),
        {"kind": "receipt"},
    ),
    (
        "sieve-reject-mdn",
        (
            b"From: postmaster@nordhafen.test\r\nTo: vet@school.test\r\nSubject: Automatically rejected mail\r\n"
            b"Auto-Submitted: auto-replied (rejected)\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n"
            b"--b\r\nContent-Type: text/plain\r\n\r\nYour message to <k.becker@nordhafen.test> was automatically "
            b"rejected:\r\nThis address no longer accepts mail.\r\n"
            b"--b\r\nContent-Type: message/disposition-notification\r\n\r\n"
            b"Reporting-UA: mx; Dovecot Mail Delivery Agent\r\n"
            b"Final-Recipient: rfc822; k.becker@nordhafen.test\r\nOriginal-Message-ID: <first.1@school.test>\r\n"
            b"Disposition: automatic-action/MDN-sent-automatically; deleted\r\n--b--\r\n"
        ),
        {"kind": "bounce", "recipient": "k.becker@nordhafen.test", "reason": "mailbox_disabled"},
    ),
    (
        "challenge-response",
        mail(
            "k.becker@nordhafen.test",
            "Please verify your email address",
            "I use a challenge-response system. Click the link below to verify that you are "
            "human and your message will be delivered.",
            {"Auto-Submitted": "auto-replied"},
        ),
        {"kind": "other"},
    ),
    ("unsubscribe-body-only", mail("k.becker@nordhafen.test", "Re: Proposal", "UNSUBSCRIBE"), {"kind": "opt_out"}),
    ("abmelden-body", mail("k.becker@nordhafen.test", "AW: Vorschlag", "Abmelden, bitte."), {"kind": "opt_out"}),
    ("no-thank-you", mail("k.becker@nordhafen.test", "Re: Proposal", "No, thank you."), {"kind": "opt_out"}),
    (
        "delay-notice-human-words",
        mail(
            "Mail Delivery Subsystem <mailer-daemon@googlemail.test>",
            "Delivery Status Notification (Delay)",
            "Gmail will retry for 46 more hours.",
        ),
        {"kind": "delayed"},
    ),
    (
        "human-subject-delayed",
        mail(
            "k.becker@nordhafen.test", "Re: Proposal - meeting delayed?", "Can we move our call? Something delayed us."
        ),
        {"kind": "reply"},
    ),
]


@pytest.mark.parametrize("name, raw, expected", SHAPES, ids=[s[0] for s in SHAPES])
def test_real_shapes_are_read_right(name, raw, expected):
    result = classify(InboundMessage.parse(raw)).as_json()
    assert {key: result.get(key) for key in expected} == expected, result


@pytest.mark.parametrize(
    "status, words, reason",
    [
        (
            "5.1.1",
            "550 5.1.1 <x@y.test>: Recipient address rejected: User unknown in virtual mailbox table",
            "user_unknown",
        ),
        ("5.4.1", "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)", "user_unknown"),
        ("5.1.2", "550 5.1.2 Host unknown (Name server: mx.gone.test: host not found)", "domain_unknown"),
        ("5.2.1", "550 5.2.1 The email account that you tried to reach is disabled.", "mailbox_disabled"),
        ("5.2.2", "552 5.2.2 The email account that you tried to reach is over quota.", "mailbox_full"),
        ("4.2.2", "452 4.2.2 Mailbox full", "mailbox_full"),
        ("5.3.4", "552 5.3.4 Message size exceeds fixed limit", "message_too_large"),
        ("5.7.1", "550 5.7.1 Our system has detected that this message is likely unsolicited mail.", "spam_or_content"),
        (
            "5.7.1",
            "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
            "policy_or_blocked",
        ),
        (
            "5.7.26",
            "550 5.7.26 Unauthenticated email from school.test is not accepted due to domain's DMARC policy",
            "policy_or_blocked",
        ),
        ("5.1.1", "550 5.1.1 Message rejected: this message looks like spam", "spam_or_content"),
        (
            "4.2.1",
            "450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional "
            "messages from being delivered.",
            "rate_limited",
        ),
        ("4.7.1", "450 4.7.1 Recipient address rejected: Greylisted", "rate_limited"),
        ("4.4.7", "Delivery time expired", "delayed"),
        (None, "554 delivery error: dd This user doesn't have a yahoo.com account", "user_unknown"),
        (None, "The recipient's mailbox is full and can't accept messages now.", "mailbox_full"),
    ],
)
def test_the_reason_of_a_bounce(status, words, reason):
    assert reason_for(status, words).value == reason


def test_only_address_level_reasons_are_permanent():
    gone = {r for r in BounceReason if r.address_gone}
    assert {r.value for r in gone} == {"user_unknown", "domain_unknown", "mailbox_disabled"}
    assert not any(
        r.address_gone
        for r in (
            BounceReason.SPAM_OR_CONTENT,
            BounceReason.POLICY_OR_BLOCKED,
            BounceReason.MAILBOX_FULL,
            BounceReason.RATE_LIMITED,
        )
    )
    assert reason_name(BounceReason.MAILBOX_FULL) == "mailbox full"
