"""Labelled replies: the partner's new text and what it means. The shipped set (YAML files
in `outreach/inbound/replies/`, one per language) is what the reply reader learns from; a
school's own decisions are added as more `LabelledReply` items by the caller."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from outreach.errors import InvalidInput, Problem

KINDS = ("interested", "question", "not_now", "not_interested", "referral", "unclear")
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "pt")
SALUTATIONS = ("female", "male", "none")


@dataclass(frozen=True)
class LabelledReply:
    """One reply and its reading. `language` may be None (then it is detected); `until` is
    "YYYY-MM" for not_now; the referral fields for a hand-over; `html` the reply as an
    HTML-only message, where it was written so (held-out sets); `source` where it came from."""

    text: str
    intent: str
    language: str | None = None
    until: str | None = None
    referral_name: str | None = None
    referral_salutation: str | None = None
    referral_email: str | None = None
    html: str | None = None
    new_text: str | None = None
    source: str = ""


def shipped(added: bool = True) -> list[LabelledReply]:
    """The labelled set that ships in the package: 800 replies in eight languages written
    apart from the reader's rules (`LL.yaml`), and, unless `added` is false, the hard cases
    the reader's engineer wrote afresh for classes it missed (`LL-added.yaml`)."""
    folder = resources.files("outreach.inbound") / "replies"
    replies: list[LabelledReply] = []
    for language in LANGUAGES:
        for stem in (language, f"{language}-added") if added else (language,):
            entry = folder / f"{stem}.yaml"
            if entry.is_file():
                replies += parse(entry.read_text(encoding="utf-8"), f"outreach/inbound/replies/{stem}.yaml", language)
    return replies


def load(path: Path, language: str | None = None) -> list[LabelledReply]:
    """Labelled replies from one YAML file (the language from its name, e.g. `de.yaml`)."""
    if not path.is_file():
        raise InvalidInput([Problem(str(path), None, "(file)", "no such file")])
    stem = path.stem.lower()
    return parse(path.read_text(encoding="utf-8"), str(path), language or (stem if stem in LANGUAGES else None))


def parse(content: str, name: str, language: str | None) -> list[LabelledReply]:
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise InvalidInput([Problem(name, None, "(file)", f"not valid YAML: {error}")]) from None
    if not isinstance(data, list):
        raise InvalidInput([Problem(name, None, "(file)", "expected a list of replies, each with `intent` and `text`")])
    problems, replies = [], []
    for index, item in enumerate(data, start=1):
        problem = _problem(item)
        if problem:
            problems.append(Problem(name, None, f"reply {index}: {problem[0]}", problem[1]))
            continue
        replies.append(
            LabelledReply(
                text=item["text"],
                intent=item["intent"],
                language=language,
                until=_text(item.get("until")),
                referral_name=item.get("referral_name"),
                referral_salutation=item.get("referral_salutation"),
                referral_email=item.get("referral_email"),
                html=item.get("html"),
                new_text=item.get("new_text"),
                source=f"{name}#{index}",
            )
        )
    if problems:
        raise InvalidInput(problems)
    return replies


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _problem(item: object) -> tuple[str, str] | None:
    if not isinstance(item, dict):
        return "(item)", "each reply is a mapping with `intent` and `text`"
    if not isinstance(item.get("text"), str) or not item["text"].strip():
        return "text", "the reply's text is missing or empty"
    if item.get("intent") not in KINDS:
        return "intent", f"{item.get('intent')!r} is not one of {', '.join(KINDS)}"
    if item.get("referral_salutation") not in (None, *SALUTATIONS):
        return "referral_salutation", f"use one of {', '.join(SALUTATIONS)}"
    return None


def fingerprint(replies: list[LabelledReply]) -> str:
    """A hash of what a model is trained on (texts and labels, in order)."""
    digest = hashlib.sha256()
    for reply in replies:
        digest.update(f"{reply.intent}\x1f{reply.language}\x1f{reply.text}\x1e".encode())
    return digest.hexdigest()[:16]
