"""The guide's partner selection criteria: weighted criteria over partner fields, a score per
partner with the reasons that made it. Pure: records in, scores out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from outreach.domain.records import PartnerIn

LIST_FIELDS = ("partnership_types", "tags")
TEXT_FIELDS = ("focus_area", "notes")
VALUE_FIELDS = ("country", "region", "source", "phase", "status", "website")


class Criterion(Protocol):
    """What a criterion of the campaign file (outreach.campaign.model.Criterion) gives."""

    name: str
    field: str
    values: list[str]
    weight: float


@dataclass(frozen=True)
class Score:
    points: float
    reasons: tuple[str, ...]


def matches(partner: PartnerIn, field: str, values: list[str]) -> bool:
    """Whether a partner's field has one of the values (case and spacing ignored; words in a
    text field; `extra:HEADING` reads a kept spreadsheet column)."""
    wanted = {_fold(v) for v in values}
    if field.startswith("extra:"):
        have = (partner.extra or {}).get(field.removeprefix("extra:"))
        return have is not None and (_fold(have) in wanted or not values)
    if field == "mutual_contact":  # a contact who can introduce us: named in the tags or notes
        return any(_fold(tag) in ("mutual contact", "warm introduction") for tag in partner.tags)
    value = getattr(partner, field, None)
    if field in LIST_FIELDS:
        return any(_fold(str(v)) in wanted for v in value or [])
    if field in TEXT_FIELDS:
        text = _fold(value or "")
        return any(word in text for word in wanted)
    return value is not None and _fold(str(value)) in wanted


def score(partner: PartnerIn, criteria: Iterable[Criterion]) -> Score:
    met = [c for c in criteria if matches(partner, c.field, c.values)]
    return Score(sum(c.weight for c in met), tuple(f"{c.name} (+{c.weight:g})" for c in met))


def ranked(partners: list[PartnerIn], criteria: Iterable[Criterion]) -> list[tuple[PartnerIn, Score]]:
    """Highest score first; equal scores keep the file's order."""
    scored = [(p, score(p, criteria)) for p in partners]
    return sorted(scored, key=lambda pair: -pair[1].points)


def _fold(text: str) -> str:
    return " ".join(str(text).casefold().split())
