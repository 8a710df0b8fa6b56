"""Reply intent, measured (issue 20, part 7). Figures are printed per intent and per language:

- the labelled replies of tests/samples/intents.py (written with the old rules; an extra test
  set now) in the eight languages, each as sent plain, top-posted with a signature above our
  quoted mail, and (every third) HTML-only with a legal disclaimer, read the way the watcher
  reads them;
- cross-validated (stratified 5-fold) over the labelled set that ships in the package;
- the held-out set (tests/samples/heldout/, written apart from our rules, never trained on):
  its labelled new text, and its HTML-only messages as the product extracts them.

Goals: at least 90% right; no refusal or "later" read as interested AND acted on; wrong
readings acted on at most 3% of replies. The HTML-only figure depends on the quote
stripping (outreach.inbound.quotes), measured here as it stands."""

from __future__ import annotations

from collections import Counter
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP
from html import escape
from pathlib import Path

import pytest

from outreach.inbound.classify import InboundKind, classify
from outreach.inbound.intent import intent_of, train_on
from outreach.inbound.intent.evaluation import Report, cross_validate, held_out
from outreach.inbound.intent.labels import load, shipped
from outreach.inbound.message import InboundMessage
from outreach.inbound.quotes import new_text
from tests.samples.intents import ATTRIBUTIONS, DISCLAIMER, OUR_MAIL, SAMPLES, SIGNATURES

TODAY = date(2026, 11, 28)
SENDER = "partner@firm.test"
HELD_OUT = Path(__file__).parent / "samples" / "heldout"


def variants(language: str, text: str, index: int):
    yield "plain", text
    yield "quoted", f"{text}\n\n{SIGNATURES[language]}\n\n{ATTRIBUTIONS[language]}\n{OUR_MAIL}"
    if index % 3 == 0:
        yield "html", None


def as_message(text: str | None, language: str, plain: str) -> InboundMessage:
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = SENDER, "jana@school.test", "Re: Proposal"
    if text is not None:
        message.set_content(text)
    else:
        body = "".join(f"<p>{escape(line)}</p>" for line in plain.split("\n"))
        signature = escape(SIGNATURES[language]).replace("\n", "<br>")
        message.set_content(
            f"<html><body><div dir='ltr'>{body}<br><p>{signature}</p>"
            f"<p style='font-size:8pt'>{escape(DISCLAIMER)}</p></div>"
            f"<blockquote>{escape(OUR_MAIL)}</blockquote></body></html>",
            subtype="html",
        )
    return InboundMessage.parse(message.as_bytes())


def test_reply_intent_accuracy_per_intent_and_language(capsys):
    right, total, dangerous, wrong, acted, acted_wrong = Counter(), Counter(), [], [], 0, []
    for index, (language, expected, text, extra) in enumerate(SAMPLES):
        for shape, body in variants(language, text, index):
            message = as_message(body, language, text)
            kind = classify(message).kind
            if kind is InboundKind.OPT_OUT:  # a bare "No, thank you": the templates' way to say no
                assert expected == "not_interested", (language, text)
                right[expected] += 1
                right[language] += 1
                total[expected] += 1
                total[language] += 1
                continue
            assert kind is InboundKind.REPLY, (language, text)
            intent = intent_of(new_text(message.text), TODAY, SENDER)
            ok = intent.kind.value == expected
            if ok and expected == "not_now" and intent.until:
                ok = intent.until.isoformat()[:7] == extra["until"]
            if ok and expected == "referral":
                ok = intent.referral_email == (
                    SENDER if extra["referral_email"] == "SENDER" else extra["referral_email"]
                )
            for key in (expected, language):
                total[key] += 1
                right[key] += ok
            acted += intent.acts
            if not ok:
                wrong.append((language, shape, expected, intent.as_json(), text))
                if intent.acts:
                    acted_wrong.append((language, shape, expected, intent.kind.value, text))
            if expected in ("not_now", "not_interested") and intent.kind.value == "interested":
                dangerous.append((language, shape, intent.acts, text))
    count = sum(total[k] for k in ("interested", "question", "not_now", "not_interested", "referral", "unclear"))
    overall = sum(right[k] for k in ("interested", "question", "not_now", "not_interested", "referral", "unclear"))
    with capsys.disabled():
        print(f"\nreply intent, {len(SAMPLES)} labelled replies as {count} messages: {overall / count:.1%} right")
        print(
            "  per intent: "
            + ", ".join(
                f"{k} {right[k]}/{total[k]}"
                for k in ("interested", "question", "not_now", "not_interested", "referral", "unclear")
            )
        )
        print(
            "  per language: "
            + ", ".join(f"{k} {right[k]}/{total[k]}" for k in ("en", "de", "fr", "es", "it", "nl", "pl", "pt"))
        )
        print(
            f"  acted on: {acted}/{count}; wrong and acted on: {len(acted_wrong)}; "
            f"refusal or later read as interested: {len(dangerous)} (acted on: {sum(d[2] for d in dangerous)})"
        )
    assert count >= 200
    assert not [d for d in dangerous if d[2]], dangerous
    assert len(acted_wrong) <= 0.03 * count, acted_wrong
    assert overall / count >= 0.9, wrong


def _print(report: Report) -> None:
    print()
    for line in report.lines():
        print(line)


def _meets_the_goals(report: Report, accuracy: float = 0.9) -> None:
    assert report.accuracy >= accuracy, report.lines(verbose=True)
    assert not [m for m in report.dangerous if m.intent.acts], [m.line() for m in report.dangerous]
    assert len(report.acted_wrong) <= 0.03 * report.total, [m.line() for m in report.acted_wrong]


def test_cross_validated_on_the_shipped_replies(capsys):
    report = cross_validate(shipped())
    with capsys.disabled():
        _print(report)
    assert report.total >= 800
    _meets_the_goals(report)
    assert report.until[False] <= 0.05 * report.until[True]  # the month of "not now"


@pytest.mark.skipif(not HELD_OUT.is_dir(), reason="no held-out set")
def test_the_held_out_replies_never_trained_on(capsys):
    replies = [r for path in sorted(HELD_OUT.glob("*.yaml")) for r in load(path)]
    texts = {" ".join(r.text.split()) for r in replies}
    assert not [r for r in shipped() if " ".join(r.text.split()) in texts], "held-out replies in the training set"
    labelled, extracted, html = held_out(train_on(shipped()), replies)
    with capsys.disabled():
        for report in (labelled, extracted, html):
            _print(report)
    assert labelled.total >= 320
    _meets_the_goals(labelled)
    _meets_the_goals(extracted)
    _meets_the_goals(html, accuracy=0.8)  # the quotes of HTML replies: see outreach.inbound.quotes
