"""Where a partner is in time, and a time said as people say it: "10:00 (Lisbon time, 11:00 in
Hamburg)" in the reader's language, place names from CLDR (Babel), never an IANA id. Pure."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.core import get_global
from babel.dates import get_timezone_location

from outreach.domain.language import base, clock, locale_of

# The main zone of countries with several (CLDR lists them in no order of importance).
MAIN_ZONES = {
    "AR": "America/Argentina/Buenos_Aires",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia",
    "DE": "Europe/Berlin",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei",
    "GL": "America/Nuuk",
    "ID": "Asia/Jakarta",
    "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty",
    "MH": "Pacific/Majuro",
    "MN": "Asia/Ulaanbaatar",
    "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "PF": "Pacific/Tahiti",
    "PG": "Pacific/Port_Moresby",
    "PS": "Asia/Hebron",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "US": "America/New_York",
    "UZ": "Asia/Tashkent",
}


def country_zone(country: str | None) -> str | None:
    """A country's main time zone (ISO 3166 code), None when unknown."""
    if not country:
        return None
    code = country.upper()
    zones = get_global("territory_zones").get(code) or []
    return MAIN_ZONES.get(code) or (zones[0] if zones else None)


def partner_zone(contact_zone: str | None, country: str | None, campaign_zone: str) -> str:
    """The contact's own zone, else their country's main zone, else the campaign's."""
    return contact_zone or country_zone(country) or campaign_zone


@lru_cache(maxsize=512)
def city(zone: str, language: str) -> str:
    """The zone's city as the language names it: Europe/Lisbon -> Lissabon (de), Lisbonne (fr)."""
    try:
        return str(get_timezone_location(zone, locale=locale_of(language), return_city=True))
    except (LookupError, ValueError):
        return zone.rsplit("/", 1)[-1].replace("_", " ")


def _de_fr(name: str) -> str:
    return f"d'{name}" if name[:1].lower() in "aeiouyéèêâîôûh" else f"de {name}"


# Their place alone, and with our time and place beside: (their city, our time, our city).
_ALONE = {
    "en": "{their} time",
    "de": "Ortszeit {their}",
    "fr": "heure {de_their}",
    "es": "hora de {their}",
    "it": "ora di {their}",
    "nl": "tijd in {their}",
    "pl": "czas lokalny: {their}",
    "pt": "hora de {their}",
}
_BESIDE = {
    "en": "{their} time, {ours} in {our}",
    "de": "Ortszeit {their}, {ours} Uhr in {our}",
    "fr": "heure {de_their}, {ours} à {our}",
    "es": "hora de {their}; las {ours} en {our}",
    "it": "ora di {their}; le {ours} a {our}",
    "nl": "tijd in {their}, {ours} uur in {our}",
    "pl": "czas lokalny: {their}; {our}: godz. {ours}",
    "pt": "hora de {their}; {ours} em {our}",
}


def zone_words(moment: datetime, their_zone: str, our_zone: str, language: str, our_place: str | None = None) -> str:
    """What stands in brackets after a time given in the reader's zone: their place and, when
    our clock shows another time then, ours beside: "Lisbon time, 11:00 in Hamburg"."""
    code = base(language) if base(language) in _ALONE else "en"
    if their_zone in ("UTC", "Etc/UTC") and our_zone == their_zone:
        return "UTC"  # no place: the time standard, in every language
    their = city(their_zone, language)
    here, ours = moment.astimezone(ZoneInfo(their_zone)), moment.astimezone(ZoneInfo(our_zone))
    values = {"their": their, "de_their": _de_fr(their)}
    if here.strftime("%H:%M") == ours.strftime("%H:%M"):
        return _ALONE[code].format(**values)
    return _BESIDE[code].format(**values, ours=clock(ours, language), our=our_place or city(our_zone, language))
