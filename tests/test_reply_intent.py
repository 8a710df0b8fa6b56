"""Reply intent, measured: the labelled replies of tests/samples/intents.py in the eight
languages, each as sent plain, top-posted with a signature above our quoted mail, and (every
third) HTML-only with a legal disclaimer, read the way the watcher reads them. Accuracy per
intent and per language is printed; at least 90% overall, and no `not_now` or
`not_interested` reply is ever taken as `interested`."""

from __future__ import annotations

from collections import Counter
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP
from html import escape

from outreach.inbound.classify import InboundKind, classify
from outreach.inbound.intent import intent_of
from outreach.inbound.message import InboundMessage
from outreach.inbound.quotes import new_text
from tests.samples.intents import ATTRIBUTIONS, DISCLAIMER, OUR_MAIL, SAMPLES, SIGNATURES

TODAY = date(2026, 11, 28)
SENDER = "partner@firm.test"


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
        message.set_content(f"<html><body><div dir='ltr'>{body}<br><p>{signature}</p>"
                            f"<p style='font-size:8pt'>{escape(DISCLAIMER)}</p></div>"
                            f"<blockquote>{escape(OUR_MAIL)}</blockquote></body></html>", subtype="html")
    return InboundMessage.parse(message.as_bytes())


def test_reply_intent_accuracy_per_intent_and_language(capsys):
    right, total, dangerous, wrong = Counter(), Counter(), [], []
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
                ok = intent.referral_email == (SENDER if extra["referral_email"] == "SENDER" else extra["referral_email"])
            for key in (expected, language):
                total[key] += 1
                right[key] += ok
            if not ok:
                wrong.append((language, shape, expected, intent.as_json(), text))
            if expected in ("not_now", "not_interested") and intent.kind.value == "interested":
                dangerous.append((language, shape, text))
    count = sum(total[k] for k in ("interested", "question", "not_now", "not_interested", "referral", "unclear"))
    overall = sum(right[k] for k in ("interested", "question", "not_now", "not_interested", "referral", "unclear"))
    with capsys.disabled():
        print(f"\nreply intent, {len(SAMPLES)} labelled replies as {count} messages: {overall / count:.1%} right")
        print("  per intent: " + ", ".join(f"{k} {right[k]}/{total[k]}" for k in
                                          ("interested", "question", "not_now", "not_interested", "referral", "unclear")))
        print("  per language: " + ", ".join(f"{k} {right[k]}/{total[k]}" for k in
                                            ("en", "de", "fr", "es", "it", "nl", "pl", "pt")))
    assert count >= 200
    assert not dangerous, dangerous
    assert overall / count >= 0.9, wrong
