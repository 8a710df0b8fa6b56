"""What a partner's human reply means: interested, a question, not now (until when), not
interested, a referral to a colleague, or unclear; how sure the reading is; whether the
product may act on it without a person; and the phrases that decided.

Pure: the new text of the reply in, an `Intent` out, in the eight languages of the
campaigns. The reading is learned (`model`) from labelled replies that ship in the package
(`outreach/inbound/replies/*.yaml`), plus a school's own decisions where the caller gives
them (`train(extra)`); no database here. Rules only where they are exact: the address a
hand-over names, the person and salutation (`people`), the time a "not now" means (`when`),
"write to me instead" (the writer takes over).

It fails safe. `acts` is true only when the reading is confident and nothing in the reply
speaks against it; `interested` (which sends an invitation) needs the most: a refusal or a
"later" read as interested and acted on is the worst error. `unclear` never acts.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from outreach.inbound.intent.features import ADDRESS, prepare
from outreach.inbound.intent.labels import LabelledReply, fingerprint, shipped
from outreach.inbound.intent.language import detect
from outreach.inbound.intent.model import TODAY, ReplyModel
from outreach.inbound.intent.people import people
from outreach.inbound.intent.text import TEXT_CAP, body, fold
from outreach.inbound.intent.when import until_of

__all__ = [
    "Intent",
    "IntentKind",
    "LabelledReply",
    "Reader",
    "current",
    "intent_of",
    "train",
    "train_on",
    "use",
    "warm_up",
]

LATER_DEFAULT = timedelta(days=90)  # "not now" with no time named: ask again in three months (a person confirms)


class IntentKind(StrEnum):
    INTERESTED = "interested"
    QUESTION = "question"
    NOT_NOW = "not_now"
    NOT_INTERESTED = "not_interested"
    REFERRAL = "referral"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    until: date | None = None  # not_now: the day meant
    referral_email: str | None = None  # referral: the colleague, where named
    referral_name: str | None = None
    referral_salutation: str | None = None  # female, male or none
    confidence: float = 1.0  # the calibrated probability of `kind`
    acts: bool = False  # the product may act on it without a person
    evidence: tuple[str, ...] = ()  # the phrases (and signals) that decided
    language: str | None = None
    probabilities: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "intent": self.kind.value,
            "confidence": round(self.confidence, 3),
            "acts": self.acts,
            "evidence": list(self.evidence),
            "until": self.until.isoformat() if self.until else None,
            "referral_email": self.referral_email,
            "referral_name": self.referral_name,
            "referral_salutation": self.referral_salutation,
        }


# How sure a reading must be before the product acts on it alone.
ACT_AT = {
    IntentKind.INTERESTED: 0.8,
    IntentKind.NOT_INTERESTED: 0.75,
    IntentKind.NOT_NOW: 0.7,
    IntentKind.QUESTION: 0.7,
    IntentKind.REFERRAL: 0.7,
}
# Signals that speak against acting on an `interested` reading.
AGAINST_INTERESTED = {"_cue_refuse", "_cue_later", "_time_far_again", "_cue_not_me", "_starts_no", "_cue_ack"}
AGAINST_INTERESTED_NEGATED = re.compile(
    r"^neg:(?:interest\w*|call|meet\w*|talk|gerne?|interess\w*|possible|possibl\w*|"
    r"moglich|zeit|time|capacity|kapazit\w*|able|sure|sicher|sur|seguro|sicuro|"
    r"zeker|pewn\w*|certo)$"
)
# "Please write to me instead": the one who writes takes over (an exact rule).
SELF = re.compile(
    r"(?:(?:please )?(?:write|reply|send (?:it|everything|your \w+)) to me(?: instead| directly| from now on)?|"
    r"contact me (?:instead|directly|from now on)|schreiben sie (?:bitte )?(?:kunftig |ab sofort )?(?:an )?mich|"
    r"wenden sie sich (?:bitte )?an mich|ecrivez-moi directement|contactez-moi directement|escribame a mi|"
    r"scriva a me|schrijf (?:voortaan )?naar mij|prosze pisac do mnie|escreva-me diretamente)\b"
)


class Reader:
    """A trained model and the rules around it; `read` gives an `Intent`."""

    def __init__(self, model: ReplyModel, trained_on: str, size: int, seconds: float):
        self.model, self.trained_on, self.size, self.seconds = model, trained_on, size, seconds

    def read(
        self, text: str, today: date, sender: str | None = None, ours: Sequence[str] = (), language: str | None = None
    ) -> Intent:
        text = unicodedata.normalize("NFC", text[:TEXT_CAP])
        language = language or detect(body(text) or text)
        prepared = prepare(text, language, today)
        if not prepared.tokens:
            return Intent(IntentKind.UNCLEAR, confidence=1.0, evidence=("(no new text)",), language=language)
        reading, row = self.model.read(prepared)
        kind, confidence = IntentKind(reading.kind), reading.probabilities[reading.kind]
        evidence = tuple(self.model.explain(prepared, row, kind.value))
        known = {a.lower() for a in ours} | ({sender.lower()} if sender else set())
        folded = fold(prepared.text)
        if sender and (found := SELF.search(folded)) is not None and kind is not IntentKind.NOT_INTERESTED:
            return Intent(
                IntentKind.REFERRAL,
                referral_email=sender.lower(),
                referral_salutation="none",
                confidence=1.0,
                acts=True,
                evidence=(f'"{prepared.text[found.start() : found.end()]}"',),
                language=language,
                probabilities=reading.probabilities,
            )
        until = email = name = salutation = None
        if kind is IntentKind.NOT_NOW:
            until = until_of(folded, prepared.text, today, language)
        if kind is IntentKind.REFERRAL:
            email, name, salutation = _referral(prepared.text, language, known)
        acts = _acts(kind, confidence, prepared.signals, until, email)
        if kind is IntentKind.NOT_NOW and until is None:
            until = today + LATER_DEFAULT
        return Intent(
            kind,
            until=until,
            referral_email=email,
            referral_name=name,
            referral_salutation=salutation,
            confidence=confidence,
            acts=acts,
            evidence=evidence,
            language=language,
            probabilities=reading.probabilities,
        )


def _acts(kind: IntentKind, confidence: float, signals: Sequence[str], until: date | None, email: str | None) -> bool:
    if kind is IntentKind.UNCLEAR or confidence < ACT_AT[kind]:
        return False
    present = set(signals)
    if kind is IntentKind.INTERESTED:
        return not (present & AGAINST_INTERESTED or any(AGAINST_INTERESTED_NEGATED.match(s) for s in present))
    if kind is IntentKind.NOT_NOW:
        return until is not None
    if kind is IntentKind.NOT_INTERESTED:
        return "_time_far_again" not in present
    if kind is IntentKind.REFERRAL:
        return email is not None
    return True


def _referral(text: str, language: str, known: set[str]) -> tuple[str | None, str | None, str | None]:
    """The colleague a hand-over names: the address (not the writer's, not ours) nearest the
    person named, the name as written without "colleague" or title, the salutation."""
    addresses = [
        (m.start(), m.group().lower().rstrip("."))
        for m in ADDRESS.finditer(text)
        if m.group().lower().rstrip(".") not in known
    ]
    persons = people(text, language)
    person = persons[0] if persons else None
    email: str | None
    if person is not None and addresses:
        email = min(addresses, key=lambda a: abs(a[0] - person.end))[1]
    else:
        email = addresses[0][1] if addresses else None
    return email, person.name if person else None, person.salutation if person else None


_lock = threading.Lock()
_training = threading.Lock()
_current: Reader | None = None
_extra: tuple[LabelledReply, ...] = ()
_cache: Path | None = None


def use(extra: Sequence[LabelledReply] = (), cache: Path | None = None) -> None:
    """What this process's reader is to be trained on at first use: the shipped replies plus
    `extra`; with `cache`, a folder where the trained model is kept between processes (keyed
    by the data's hash, the code and scikit-learn's version). A reader already trained on the
    same labels is kept."""
    global _current, _extra, _cache
    with _lock:
        if tuple(extra) != _extra:
            _current = None
        _extra, _cache = tuple(extra), cache


def warm_up(extra: Sequence[LabelledReply] = (), cache: Path | None = None) -> threading.Thread:
    """Train (or load) this process's reader in the background, so the first reply does not
    wait for it; a reply read meanwhile waits only for what is left."""
    use(extra, cache)
    thread = threading.Thread(target=current, name="reply-reader", daemon=True)
    thread.start()
    return thread


def train(
    extra: Sequence[LabelledReply] = (), install: bool = True, cache: Path | None = None, fresh: bool = False
) -> Reader:
    """A reader trained on the shipped replies plus `extra` (a school's own decisions);
    installed as this process's reader unless `install` is false. With `cache`, a model
    trained on the same data by the same code is loaded from there instead (unless `fresh`),
    and a new one is kept there."""
    replies = [*shipped(), *extra]
    reader = _load(replies, cache) if cache is not None and not fresh else None
    if reader is None:
        reader = train_on(replies)
        if cache is not None:
            _store(reader, replies, cache)
    if install:
        global _current, _extra, _cache
        with _lock:
            _current, _extra, _cache = reader, tuple(extra), cache
    return reader


def train_on(replies: Sequence[LabelledReply]) -> Reader:
    """A reader trained on exactly these replies (evaluation: a set without its held-out part)."""
    started = time.perf_counter()
    prepared = [prepare(r.text, r.language or detect(r.text), TODAY) for r in replies]
    model = ReplyModel().fit(prepared, [r.intent for r in replies])
    return Reader(model, fingerprint(list(replies)), len(replies), time.perf_counter() - started)


def current() -> Reader:
    """This process's reader, trained at first use (on the shipped set and the labels last given)."""
    with _training:
        if _current is None:
            train(_extra, cache=_cache)
    with _lock:
        assert _current is not None  # train() sets it
        return _current


def intent_of(
    text: str, today: date, sender: str | None = None, ours: Sequence[str] = (), language: str | None = None
) -> Intent:
    return current().read(text, today, sender, ours, language)


# --- the model kept on disk: only ever our own, written by `_store` -----------------------------


def _cache_file(replies: Sequence[LabelledReply], cache: Path) -> Path:
    import hashlib

    import sklearn

    code = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        code.update(source.read_bytes())
    key = f"{fingerprint(list(replies))}-{code.hexdigest()[:12]}-{sklearn.__version__}"
    return cache / f"reply-model-{key}.pickle"


def _load(replies: Sequence[LabelledReply], cache: Path) -> Reader | None:
    import pickle

    path = _cache_file(replies, cache)
    try:
        with path.open("rb") as stream:
            reader = pickle.load(stream)
        return reader if isinstance(reader, Reader) else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def _store(reader: Reader, replies: Sequence[LabelledReply], cache: Path) -> None:
    """Keep the model for the next process; older ones in the folder are removed. A folder
    that cannot be written is no error: the next process trains again."""
    import os
    import pickle
    import tempfile

    try:
        cache.mkdir(parents=True, exist_ok=True)
        target = _cache_file(replies, cache)
        with tempfile.NamedTemporaryFile("wb", dir=cache, delete=False, prefix=".reply-model-") as stream:
            pickle.dump(reader, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(stream.name, 0o600)
        os.replace(stream.name, target)
        for old in cache.glob("reply-model-*.pickle"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        return
