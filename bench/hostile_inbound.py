"""Hostile inbound mail against the whole reading path (parse, classify, quote stripping,
the header-only reading the watcher does first): time and peak memory for each.
Goal: each under 1 s and 200 MB here.

    python bench/hostile_inbound.py
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from outreach.inbound.classify import classify
from outreach.inbound.message import HeaderFields, InboundMessage
from outreach.inbound.reply import split_reply

HEAD = b"To: vet@school.test\r\nMessage-ID: <h@attacker.test>\r\n"


def html(size: int) -> bytes:
    body = (b"<div><p>" + b"<" * 2000 + b"a" * 500 + b"<script>" + b"x" * 1000 + b"<!--" + b"<b>hi</b>") * (
        size // 4000
    )
    return (
        b"From: a@attacker.test\r\nSubject: html\r\n"
        + HEAD
        + b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        + body[:size]
    )


def long_from() -> bytes:
    return b"From: " + b"a" * 100_000 + b"\r\nSubject: no at sign\r\n" + HEAD + b"\r\nbody\r\n"


def encoded_words() -> bytes:
    return (
        b"From: a@attacker.test\r\nSubject: "
        + b" ".join([b"=?utf-8?q?x?="] * 50_000)
        + b"\r\n"
        + HEAD
        + b"\r\nbody\r\n"
    )


def nested_multiparts(depth: int = 1000) -> bytes:
    parts = [b"From: a@attacker.test\r\nSubject: nested\r\n" + HEAD]
    for level in range(depth):
        parts.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level))
    parts.append(b"Content-Type: text/plain\r\n\r\nhello\r\n")
    for level in reversed(range(depth)):
        parts.append(b"--b%d--\r\n" % level)
    return b"".join(parts)


def parameter_bomb() -> bytes:
    params = b"".join(b'; p%d="%s"' % (i, b"v" * 20) for i in range(20_000))
    return (
        b"From: a@attacker.test\r\nSubject: params\r\n"
        + HEAD
        + b"Content-Type: text/plain"
        + params
        + b"\r\n\r\nbody\r\n"
    )


def quote_bomb() -> bytes:
    return (
        b"From: a@attacker.test\r\nSubject: Re: x\r\n"
        + HEAD
        + b"\r\n"
        + b"On "
        + b"x " * 200_000
        + b"\r\n"
        + b"> q\r\n" * 100_000
    )


def html_quote_bomb() -> bytes:
    """Quote blocks, rules and bordered blocks by the thousand, nested and side by side."""
    nested = b'<div class="gmail_quote">' * 2000 + b"x" + b"</div>" * 2000
    rules = b"<hr>From: a<br>" * 5000
    bordered = b'<div style="border-top:solid 1pt">' * 2000 + b"From: x<br>To: y" + b"</div>" * 2000
    quotes = b"<blockquote type=cite>q</blockquote><p>a</p>" * 10_000
    return (
        b"From: a@attacker.test\r\nSubject: Re: x\r\n"
        + HEAD
        + b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        + nested
        + rules
        + bordered
        + quotes
    )


def read(raw: bytes) -> None:
    HeaderFields(raw).senders
    message = InboundMessage.parse(raw)
    classify(message)
    split_reply(message)
    (message.sender, message.subject, message.thread_ids, message.date)


CASES = [
    ("1 MB of HTML, unclosed tags", lambda: html(1_000_000)),
    ("5 MB of HTML", lambda: html(5_000_000)),
    ("100 KB From without @", long_from),
    ("50,000 encoded words in a Subject", encoded_words),
    ("1,000 nested multiparts", nested_multiparts),
    ("a parameter bomb (20,000 parameters)", parameter_bomb),
    ("a quote bomb (400 KB attribution, 100,000 quoted lines)", quote_bomb),
    ("an HTML quote bomb (nested quotes, 5,000 rules, 10,000 blocks)", html_quote_bomb),
]


def main() -> int:
    worst_seconds = worst_mb = 0.0
    for name, make in CASES:
        raw = make()
        tracemalloc.start()
        started = time.perf_counter()
        read(raw)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        worst_seconds, worst_mb = max(worst_seconds, seconds), max(worst_mb, peak)
        print(f"{name:58} {len(raw) / 2**20:6.2f} MB in  {seconds:6.3f} s  peak {peak:7.1f} MB")
    ok = worst_seconds < 1 and worst_mb < 200
    print(
        f"worst: {worst_seconds:.3f} s, {worst_mb:.1f} MB (goal: under 1 s and 200 MB each): "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
