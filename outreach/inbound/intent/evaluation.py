"""How well replies are read: accuracy per language and per intent, a confusion matrix,
every refusal or "later" read as interested (and whether the product would have acted),
readings acted on that were wrong, the month of "not now" and the referral's name,
salutation and address. By stratified k-fold over a labelled set, or on a held-out set with
a reader trained without it."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from outreach.inbound.intent import Intent, Reader, train_on
from outreach.inbound.intent.labels import KINDS, LANGUAGES, LabelledReply
from outreach.inbound.intent.language import detect
from outreach.inbound.intent.model import TODAY

DANGEROUS = ("not_interested", "not_now")


@dataclass
class Miss:
    reply: LabelledReply
    intent: Intent
    text: str

    def line(self) -> str:
        flat = " ".join(self.text.split())
        return (
            f"{self.reply.language or '?'} {self.reply.intent} read as {self.intent.kind.value} "
            f"({self.intent.confidence:.2f}{', ACTED' if self.intent.acts else ''}): {flat[:140]}"
        )


@dataclass
class Report:
    name: str
    total: int = 0
    right: Counter[str] = field(default_factory=Counter)
    count: Counter[str] = field(default_factory=Counter)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    acted: int = 0
    acted_wrong: list[Miss] = field(default_factory=list)
    dangerous: list[Miss] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    until: Counter[bool] = field(default_factory=Counter)
    referral: Counter[tuple[str, bool]] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def accuracy(self) -> float:
        return self.right["all"] / self.total if self.total else 0.0

    def add(self, reply: LabelledReply, intent: Intent, text: str) -> None:
        language = reply.language or detect(text)
        ok = intent.kind.value == reply.intent
        self.total += 1
        for key in ("all", reply.intent, language):
            self.count[key] += 1
            self.right[key] += ok
        self.confusion[(reply.intent, intent.kind.value)] += 1
        detail_ok = ok and self._details(reply, intent)
        if intent.acts:
            self.acted += 1
            if not detail_ok:
                self.acted_wrong.append(Miss(reply, intent, text))
        if not ok:
            self.misses.append(Miss(reply, intent, text))
        if reply.intent in DANGEROUS and intent.kind.value == "interested":
            self.dangerous.append(Miss(reply, intent, text))

    def _details(self, reply: LabelledReply, intent: Intent) -> bool:
        """The month of a "not now", the referral's address, name and salutation, where labelled."""
        ok = True
        if reply.intent == "not_now" and reply.until:
            same = intent.until is not None and intent.until.isoformat()[:7] == reply.until
            self.until[same] += 1
            ok = same
        if reply.intent == "referral":
            for key, want, got in (
                ("email", reply.referral_email, intent.referral_email),
                ("name", reply.referral_name, intent.referral_name),
                ("salutation", reply.referral_salutation, intent.referral_salutation),
            ):
                if want is not None or key == "email":
                    same = (want or None) == (got or None) if key == "email" else want == got
                    self.referral[(key, same)] += 1
                    ok = ok and (same if key == "email" else True)
        return ok

    def _share(self, key: str) -> str:
        return f"{key} {self.right[key]}/{self.count[key]} ({self.right[key] / self.count[key]:.0%})"

    def lines(self, verbose: bool = False) -> list[str]:
        out = [f"{self.name}: {self.right['all']}/{self.total} right ({self.accuracy:.1%})"]
        out.append("  per language: " + ", ".join(self._share(k) for k in LANGUAGES if self.count[k]))
        out.append("  per intent: " + ", ".join(self._share(k) for k in KINDS if self.count[k]))
        out.append(
            f"  acted on without a person: {self.acted}/{self.total} ({self.acted / max(1, self.total):.0%}); "
            f"wrong and acted on: {len(self.acted_wrong)} ({len(self.acted_wrong) / max(1, self.total):.1%})"
        )
        dangerous_acted = sum(m.intent.acts for m in self.dangerous)
        out.append(f"  refusal or later read as interested: {len(self.dangerous)}, of them acted on: {dangerous_acted}")
        out += ["    " + m.line() for m in self.dangerous]
        if self.until:
            out.append(f"  not_now month right: {self.until[True]}/{self.until[True] + self.until[False]}")
        if self.referral:
            out.append(
                "  referral: "
                + ", ".join(
                    f"{key} {self.referral[(key, True)]}/{self.referral[(key, True)] + self.referral[(key, False)]}"
                    for key in ("email", "name", "salutation")
                    if self.referral[(key, True)] + self.referral[(key, False)]
                )
            )
        out.append("  confusion (rows: labelled, columns: read as):")
        out.append("    " + " " * 15 + "".join(f"{k[:13]:>14}" for k in KINDS))
        for want in KINDS:
            out.append(f"    {want:<15}" + "".join(f"{self.confusion[(want, got)]:>14}" for got in KINDS))
        if self.acted_wrong:
            out.append("  wrong and acted on:")
            out += ["    " + m.line() for m in self.acted_wrong]
        if verbose:
            out.append("  misses:")
            out += ["    " + m.line() for m in self.misses]
        return out


def cross_validate(replies: Sequence[LabelledReply], folds: int = 5, seed: int = 0) -> Report:
    """Stratified k-fold (by intent and language): each reply read by a model that never saw it."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    report = Report(f"cross-validated ({folds}-fold, {len(replies)} replies)")
    strata = [f"{r.intent}/{r.language}" for r in replies]
    started = time.perf_counter()
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(np.zeros(len(replies)), strata):
        reader = train_on([replies[i] for i in train_index])
        for i in test_index:
            reply = replies[i]
            report.add(reply, reader.read(reply.text, TODAY, language=reply.language), reply.text)
    report.seconds = time.perf_counter() - started
    return report


def score(
    reader: Reader,
    replies: Sequence[LabelledReply],
    name: str,
    text_of: Callable[[LabelledReply], str | None],
    today: date = TODAY,
    sender: str | None = None,
) -> Report:
    """Each reply read by `reader` from the text `text_of` gives (None: left out)."""
    report = Report(name)
    started = time.perf_counter()
    for reply in replies:
        text = text_of(reply)
        if text is None:
            continue
        report.add(reply, reader.read(text, today, sender, language=reply.language), text)
    report.seconds = time.perf_counter() - started
    return report


HELD_OUT_SENDER = "partner@firm.test"


def as_html_message(reply: LabelledReply) -> str | None:
    """The new text the product extracts from the reply's HTML-only message (as the watcher
    and `outreach inbound classify` do), or None when the reply has no HTML form."""
    if not reply.html:
        return None
    from email.message import EmailMessage
    from email.policy import SMTP

    from outreach.inbound.message import InboundMessage
    from outreach.inbound.quotes import new_text

    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = HELD_OUT_SENDER, "staff@school.test", "Re: Partnership"
    message.set_content(reply.html, subtype="html")
    return new_text(InboundMessage.parse(message.as_bytes()).text)


def as_extracted_text(reply: LabelledReply) -> str:
    """The new text the product extracts from the reply's plain text (quotes and forwards cut)."""
    from outreach.inbound.quotes import new_text

    return new_text(reply.text)


def held_out(reader: Reader, replies: Sequence[LabelledReply]) -> list[Report]:
    """A held-out set three ways: its labelled new text; the new text the product extracts
    from the plain text; the new text it extracts from the HTML-only messages."""
    return [
        score(reader, replies, f"held-out, labelled new text ({len(replies)} replies)", lambda r: r.new_text or r.text),
        score(reader, replies, "held-out, new text as the product extracts it from the plain text", as_extracted_text),
        score(
            reader,
            replies,
            f"held-out, HTML-only messages as the product reads them ({sum(bool(r.html) for r in replies)} replies)",
            as_html_message,
        ),
    ]
