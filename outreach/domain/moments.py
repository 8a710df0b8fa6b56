"""A moment as staff read it in stored texts (to-dos, the digest): local to a zone, the zone's
abbreviation beside it ("2027-03-01 10:00 CET", "2027-03-01 09:00 UTC"). Pure."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def stamp(moment: datetime, zone: str = "UTC") -> str:
    here = moment.astimezone(ZoneInfo(zone))
    name = here.tzname() or zone
    if name[:1] in "+-":  # zones without a letter abbreviation ("+09"): say it as an offset
        name = f"UTC{name}"
    return f"{here:%Y-%m-%d %H:%M} {name}"
