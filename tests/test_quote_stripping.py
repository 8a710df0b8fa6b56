"""Quote stripping, measured: our reading of a reply against the well-kept libraries on the
package index (quotequail, mail-parser-reply), on our labelled set (text and HTML-only, quote
headers in 30 languages, seven mail programs, forwards, signatures and disclaimers) and on
the public fixtures talon and quotequail ship in their sources (fetched by .ci/run). The
figures are printed; ours must be right on nearly all of our set, on at least 85% of the
public fixtures, and no worse than either library on any of them."""

from __future__ import annotations

import json
from collections import Counter
from email.message import EmailMessage
from email.policy import SMTP
from functools import partial

import pytest

from outreach.inbound.html import html_to_text
from outreach.inbound.html_quotes import split_html
from outreach.inbound.message import InboundMessage
from outreach.inbound.quotes import is_forward_divider, new_text, split_text
from outreach.inbound.reply import split_reply
from tests.samples.replies import (
    ATTRIBUTIONS,
    DIVIDERS,
    FORWARDS,
    HEADER_BLOCKS,
    HTML_REPLIES,
    REFUSAL,
    REPLIES,
    apple_html,
    gmail_html,
    ios_html,
    normalised,
    outlook_desktop_html,
    outlook_web_html,
    thunderbird_html,
    yahoo_html,
)
from tests.support import reply_fixtures
from tests.support.services import missing

LANGUAGES = [
    "en",
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "pl",
    "pt",
    "sv",
    "da",
    "no",
    "fi",
    "cs",
    "hu",
    "tr",
    "ru",
    "ja",
    "ko",
    "zh",
]


def quotequail_text(text: str) -> str:
    import quotequail

    unwrapped = quotequail.unwrap(text)
    if unwrapped:
        return "\n\n".join(p for p in (unwrapped.get("text_top", ""), unwrapped.get("text_bottom", "")) if p)
    return "\n".join(part for mine, part in quotequail.quote(text, quote_intro_line=True) if mine)


def quotequail_html(markup: str) -> str:
    import quotequail

    unwrapped = quotequail.unwrap_html(markup)
    if unwrapped:
        parts = (unwrapped.get("html_top", ""), unwrapped.get("html_bottom", ""))
        return "\n".join(html_to_text(part) for part in parts if part)
    return html_to_text("".join(part for mine, part in quotequail.quote_html(markup, quote_intro_line=True) if mine))


def mail_parser_reply_text(text: str) -> str:
    from mailparser_reply import EmailReplyParser

    return EmailReplyParser(languages=LANGUAGES).parse_reply(text=text)


def mail_parser_reply_html(markup: str) -> str:
    return mail_parser_reply_text(html_to_text(markup))


def ours_html(markup: str) -> str:
    return split_html(markup).new_text


STRIPPERS = {
    "ours": (new_text, ours_html),
    "quotequail": (quotequail_text, quotequail_html),
    "mail-parser-reply": (mail_parser_reply_text, mail_parser_reply_html),
}


def attempt(strip, *body):
    try:
        return strip(*body)
    except Exception as error:  # a library that raises scores nothing on that sample
        return type(error).__name__


def score(strip, samples) -> tuple[int, list[str]]:
    right, wrong = 0, []
    for name, body, expected in samples:
        if normalised(attempt(strip, body)) == normalised(expected):
            right += 1
        else:
            wrong.append(name)
    return right, wrong


def test_the_labelled_set_covers_clients_languages_and_postings():
    names = " ".join(name for name, _, _ in REPLIES + HTML_REPLIES)
    assert len(REPLIES) >= 200 and len(HTML_REPLIES) >= 20 and len(FORWARDS) >= 8
    for word in (
        "gmail",
        "outlook-web",
        "outlook-desktop",
        "apple",
        "thunderbird",
        "iphone",
        "android",
        "bottom",
        "inline",
        "yahoo",
        "disclaimer",
        "ios-html",
        "thunderbird-bottom-html",
    ):
        assert word in names, word
    for language in ("en", "de", "fr", "es", "it", "nl", "pl", "pt"):
        assert f"-{language}" in names
    for table in (ATTRIBUTIONS, HEADER_BLOCKS, DIVIDERS):
        assert len({row[0].split("-")[0] for row in table}) >= 20
    assert any("GMT+01:00" in line for _, _, line in ATTRIBUTIONS) and any(" AM" in line for _, _, line in ATTRIBUTIONS)


def test_ours_measures_best_on_our_labelled_set_and_the_scores_are_printed(capsys):
    figures = {}
    for name, (text_strip, html_strip) in STRIPPERS.items():
        text_right, text_missed = score(text_strip, REPLIES)
        html_right, html_missed = score(html_strip, HTML_REPLIES)
        figures[name] = (text_right, html_right, text_missed + html_missed)
    with capsys.disabled():
        print(
            f"\nquote stripping, our labelled set: {len(REPLIES)} text replies, {len(HTML_REPLIES)} HTML-only replies"
        )
        for name, (text_right, html_right, _) in figures.items():
            print(
                f"  {name:18} text {text_right}/{len(REPLIES)} ({text_right / len(REPLIES):.0%}), "
                f"HTML {html_right}/{len(HTML_REPLIES)} ({html_right / len(HTML_REPLIES):.0%})"
            )
    ours_text, ours_html_right, missed = figures["ours"]
    assert ours_text >= 0.95 * len(REPLIES) and ours_html_right >= 0.95 * len(HTML_REPLIES), missed
    for name in ("quotequail", "mail-parser-reply"):
        assert ours_text >= figures[name][0] and ours_html_right >= figures[name][1]


def public_answer(case: reply_fixtures.Case, text_strip, html_strip, ours: bool) -> str:
    """A library's answer for a public fixture; ours is `unquoted` (the sender's text with their
    signature, which is what both fixture sets label), the whole text where nothing is left
    when the fixture's convention says so (talon's)."""
    if case.kind == "eml":
        message = InboundMessage.parse(case.body)
        if not ours:
            return text_strip(message.text)
        found, whole = split_reply(message).unquoted, message.text.strip()
    elif not ours:
        return (text_strip if case.kind == "text" else html_strip)(case.body)
    elif case.kind == "text":
        found, whole = split_text(case.body).unquoted, case.body.strip()
    else:
        found, whole = split_html(case.body).unquoted, html_to_text(case.body)
    return found or (whole if case.empty_means_whole else "")


def test_the_public_reply_fixtures_are_read_right_and_the_figures_are_printed(capsys):
    if not reply_fixtures.available():
        missing(
            "the public reply fixtures",
            "`.ci/run` downloads talon's and quotequail's sources into .cache/reply-fixtures",
        )
    cases = reply_fixtures.cases()
    assert len(cases) >= 120
    right: dict[str, Counter] = {name: Counter() for name in STRIPPERS}
    total, missed = Counter(), []
    for case in cases:
        part = f"{case.source} {case.kind}"
        total[part] += 1
        for name, (text_strip, html_strip) in STRIPPERS.items():
            got = attempt(partial(public_answer, case, text_strip, html_strip, name == "ours"))
            if reply_fixtures.same(case, got):
                right[name][part] += 1
            elif name == "ours":
                missed.append(case.key)
    with capsys.disabled():
        print(f"\nnew text on {len(cases)} public reply fixtures (talon 1.4.4, quotequail 0.5.4), exact:")
        for name in STRIPPERS:
            parts = ", ".join(f"{part} {right[name][part]}/{total[part]}" for part in sorted(total))
            overall = sum(right[name].values())
            print(f"  {name:18} {overall}/{len(cases)} ({overall / len(cases):.1%}): {parts}")
        print(f"  ours missed: {', '.join(missed)}")
    ours = sum(right["ours"].values())
    assert ours >= 0.85 * len(cases), missed
    for name in ("quotequail", "mail-parser-reply"):  # no part where a library reads better than ours
        assert all(right["ours"][part] >= right[name][part] for part in total), (name, right[name])


def as_message(body: str, subject: str, html: bool) -> InboundMessage:
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = "Tom <tom@firm.test>", "jana@school.test", subject
    message.set_content(body, subtype="html" if html else "plain")
    return InboundMessage.parse(message.as_bytes())


@pytest.mark.parametrize("name, body, html, subject, note, sender", FORWARDS, ids=[f[0] for f in FORWARDS])
def test_a_forward_gives_its_note_as_new_text_and_keeps_the_forwarded_message(name, body, html, subject, note, sender):
    reply = split_reply(as_message(body, subject, html))
    assert reply.new_text == note
    assert reply.forwarded is not None and reply.forwarded.sender_address == sender
    assert reply.forwarded.text and reply.forwarded.text not in reply.new_text


def test_quotequails_forwards_are_read_with_their_sender_and_text(capsys):
    if not reply_fixtures.available():
        missing("the public reply fixtures", "`.ci/run` downloads them into .cache/reply-fixtures")
    # what they call a forward and we too: a forward divider; an "Original Message" copy is a quote for us
    forwards = [
        c
        for c in reply_fixtures.cases()
        if c.forward
        and c.kind == "text"
        and any(is_forward_divider(line.lstrip("> ").strip()) for line in c.body.split("\n"))
    ]
    right = 0
    for case in forwards:
        found = split_text(case.body).forwarded
        right += bool(
            found
            and found.sender == case.forward["from"]
            and normalised(found.text) == normalised(case.forward["text"])
        )
    with capsys.disabled():
        print(f"\nforwarded message (sender and text) of quotequail's {len(forwards)} forwards: {right} right")
    assert len(forwards) >= 10 and right >= 0.9 * len(forwards)


@pytest.mark.parametrize(
    "markup", [gmail_html, outlook_desktop_html, outlook_web_html, apple_html, ios_html, thunderbird_html, yahoo_html]
)
def test_an_html_only_refusal_keeps_only_the_partners_sentence(markup):
    """Our first mail ("... a short meeting next week?") quoted below, in each program's markup."""
    message = as_message(markup(REFUSAL), "Re: Proposal", html=True)
    reply = split_reply(message)
    assert reply.new_text == REFUSAL
    assert "meeting" in reply.quoted and "meeting" not in reply.new_text
    assert "meeting" in message.text  # made text whole, the quote would have been read as theirs


def test_signatures_and_disclaimers_never_eat_a_sentence():
    kept = [
        "Sent from my desk, I can confirm Tuesday",
        "Sent from my iPhone, and yes: Tuesday works.",
        "Hello,\n\nThis is confidential for now, but we would like to meet.",
        "Hi,\n\nThe information you sent is confidential to us, so let us talk on Tuesday.",
        "Yes.\n\n-- said our director, who will join.",
        "Get back to me by phone on 040 123 456.",
    ]
    for text in kept:
        assert split_text(text).new_text == text, text
    reply = split_text("Yes.\n\nSent from my iPhone")
    assert (reply.new_text, reply.signature) == ("Yes.", "Sent from my iPhone")
    reply = split_text("Yes.\n\n-- \nTom Hall\nManaging Director")
    assert (reply.new_text, reply.signature) == ("Yes.", "--\nTom Hall\nManaging Director")


def test_a_reply_never_comes_out_empty():
    only_quote = "> Dear partner,\n> would you be available?\n"
    assert new_text(only_quote) == only_quote.strip()
    for _, text, _ in REPLIES:
        assert new_text(text)
    bare_forward = split_reply(as_message(FORWARDS[0][1].split("\n\n", 1)[1], "Fwd: x", html=False))
    assert bare_forward.new_text == "" and "Anna Berg" in bare_forward.logged_text


def test_the_command_line_reads_an_html_only_reply_from_its_new_text(cli_no_db, tmp_path):
    """`outreach inbound classify --json` on HTML-only refusals with our mail quoted below."""
    files = []
    for markup in (gmail_html, outlook_desktop_html, apple_html):
        message = EmailMessage(policy=SMTP)
        message["From"], message["To"], message["Subject"] = "Tom <tom@firm.test>", "jana@school.test", "Re: Proposal"
        message.set_content(markup(REFUSAL), subtype="html")
        files.append(tmp_path / f"{markup.__name__}.eml")
        files[-1].write_bytes(message.as_bytes())
    result = cli_no_db("inbound", "classify", *files, "--json")
    assert result.code == 0, result
    for item in json.loads(result.out):
        assert (item["kind"], item["intent"], item["text"]) == ("reply", "not_interested", REFUSAL), item
