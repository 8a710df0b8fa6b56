"""The return date an out-of-office answer gives, read from its text, in the languages of
the campaigns: "back on 12 March", "bis zum 12.03.2027", "jusqu'au 12 mars", "hasta el 12 de
marzo", "fino al 12/03", "tot 12 maart", "do 12 marca", "till den 12 mars"."""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {
    # en
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    # de
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "maerz": 3,
    "juni": 6,
    "juli": 7,
    "oktober": 10,
    "dezember": 12,
    # fr
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    # es
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
    # it
    "gennaio": 1,
    "febbraio": 2,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "settembre": 9,
    "ottobre": 10,
    "dicembre": 12,
    # nl
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "mei": 5,
    "augustus": 8,
    # pl (genitive, as in "do 12 marca")
    "stycznia": 1,
    "lutego": 2,
    "marca": 3,
    "kwietnia": 4,
    "maja": 5,
    "czerwca": 6,
    "lipca": 7,
    "sierpnia": 8,
    "września": 9,
    "wrzesnia": 9,
    "października": 10,
    "pazdziernika": 10,
    "listopada": 11,
    "grudnia": 12,
    # pt
    "janeiro": 1,
    "fevereiro": 2,
    "março": 3,
    "maio": 5,
    "junho": 6,
    "julho": 7,
    "setembro": 9,
    "outubro": 10,
    "novembro": 11,
    "dezembro": 12,
    # pl (locative, as in "w styczniu")
    "styczniu": 1,
    "lutym": 2,
    "marcu": 3,
    "kwietniu": 4,
    "maju": 5,
    "czerwcu": 6,
    "lipcu": 7,
    "sierpniu": 8,
    "wrześniu": 9,
    "październiku": 10,
    "listopadzie": 11,
    "grudniu": 12,
    # sv
    "augusti": 8,
}
for _name in list(MONTHS):
    if len(_name) > 3 and _name[:3] not in MONTHS:
        MONTHS.setdefault(_name[:3], MONTHS[_name])  # jan, feb, mar, apr, jun, ...

# Words after which the date of return follows (not the words that start the absence).
RETURN_WORDS = (
    r"until|till|through|back|return(?:ing)?|"  # en
    r"bis|zurück|wieder|"  # de
    r"jusqu'?au|jusqu’au|retour|"  # fr
    r"hasta|regreso|vuelta|"  # es
    r"fino al|rientro|ritorno|"  # it
    r"tot|terug|"  # nl
    r"do|powrót|powrot|"  # pl
    r"tillbaka|åter|"  # sv
    r"até|regresso|regressarei|de volta|volto"  # pt
)
_NUMERIC = r"(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{2,4}))?"
_ISO = r"(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH = rf"(?P<dd>\d{{1,2}})\.?\s*(?:de\s+)?(?P<mon>{_MONTH})\.?(?:\s+(?:de\s+)?(?P<yy>\d{{4}}))?"
_MONTH_DAY = rf"(?P<mon2>{_MONTH})\.?\s+(?P<dd2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<yy2>\d{{4}}))?"
DATE = re.compile(rf"\b(?:{_ISO}|{_NUMERIC}|{_DAY_MONTH}|{_MONTH_DAY})\b", re.IGNORECASE)
KEYWORD = re.compile(rf"\b(?:{RETURN_WORDS})\b", re.IGNORECASE)


BACK_AFTER = re.compile(r"^\W{0,3}(?:wieder|zurück|back|de retour|terug|tillbaka)\b", re.IGNORECASE)


# A date in someone's mail further ahead than this is not meant (a typo, "31.12.9999"):
# it is read as no date at all.
HORIZON = timedelta(days=2 * 366)


def within(day: date | None, start: date) -> bool:
    return day is not None and start <= day <= start + HORIZON


def return_date(text: str, sent: date) -> date | None:
    """The first date that follows a return word ("until 12 March"), else one that comes
    before it ("ab dem 22. März wieder erreichbar"); never before the message's date, never
    beyond HORIZON."""
    for keyword in KEYWORD.finditer(text):
        window = text[keyword.end() : keyword.end() + 60]
        for found in DATE.finditer(window):
            day = to_date(found, sent)
            if within(day, sent):
                return day
    for found in DATE.finditer(text):
        day = to_date(found, sent)
        if within(day, sent) and BACK_AFTER.match(text[found.end() : found.end() + 20]):
            return day
    return None


def to_date(found: re.Match[str], sent: date) -> date | None:
    groups = found.groupdict()
    try:
        if groups["iy"]:
            return date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
        if groups["d"]:
            return _with_year(int(groups["d"]), int(groups["m"]), groups["y"], sent)
        if groups["dd"]:
            month = MONTHS.get(groups["mon"].lower())
            return _with_year(int(groups["dd"]), month, groups["yy"], sent) if month else None
        month = MONTHS.get(groups["mon2"].lower())
        return _with_year(int(groups["dd2"]), month, groups["yy2"], sent) if month else None
    except (ValueError, OverflowError):  # day 31 of February, year 0, or past 9999
        return None


def _with_year(day: int, month: int, year: str | None, sent: date) -> date:
    if year:
        number = int(year)
        return date(number + 2000 if number < 100 else number, month, day)
    candidate = date(sent.year, month, day)
    return candidate if candidate >= sent else date(sent.year + 1, month, day)
