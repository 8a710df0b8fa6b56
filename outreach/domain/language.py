"""How each language we write in opens a letter and writes dates, times and lists.

Pure functions over plain values. Greetings follow each language's own conventions: the
salutation word, where an academic title goes, the family name or none at all (French and
Polish formal letters name nobody), and each language's neutral form where the person's
salutation is unknown. Dates, times and lists come from Babel (CLDR).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_time, get_date_format
from babel.lists import format_list

from outreach.domain.vocabulary import Salutation

LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "pt")


def base(language: str) -> str:
    """de-at -> de."""
    return language.split("-")[0].lower()


@dataclass(frozen=True)
class Person:
    """What a greeting needs to know about the person written to."""

    name: str | None = None
    salutation: Salutation | None = None
    title: str | None = None
    family_name: str | None = None

    @property
    def first_name(self) -> str | None:
        return self.name.split()[0] if self.name else None

    @property
    def surname(self) -> str | None:
        """The family name as given, else all but the first word of the name ("García López",
        "de Vries"), which is right far more often than the last word alone."""
        if self.family_name:
            return self.family_name
        words = (self.name or "").split()
        return " ".join(words[1:]) or None


# --- academic titles -----------------------------------------------------------------------

DOCTOR, PROFESSOR = "doctor", "professor"
_TITLE_KINDS = (
    (
        PROFESSOR,
        re.compile(
            r"^(prof|professor|professora|profesor|profesora|professore|professoressa|"
            r"prof\.?ssa|profa|profª)\.?$",
            re.I,
        ),
    ),
    (
        DOCTOR,
        re.compile(
            r"^(dr|dra|doctor|doctora|doktor|dott|dott\.?ssa|dottore|dottoressa|doutor|doutora|"
            r"drª)\.?$",
            re.I,
        ),
    ),
)

# Each language's written form of a title, by the person's salutation (None: unknown).
_TITLE_WORDS = {
    "en": {DOCTOR: ("Dr", "Dr", "Dr"), PROFESSOR: ("Professor", "Professor", "Professor")},
    "de": {DOCTOR: ("Dr.", "Dr.", "Dr."), PROFESSOR: ("Prof.", "Prof.", "Prof.")},
    "fr": {DOCTOR: ("Docteur", "Docteure", "Docteur"), PROFESSOR: ("Professeur", "Professeure", "Professeur")},
    "es": {DOCTOR: ("Dr.", "Dra.", "Dr./Dra."), PROFESSOR: ("Prof.", "Prof.ª", "Prof.")},
    "it": {DOCTOR: ("Dott.", "Dott.ssa", "Dott."), PROFESSOR: ("Prof.", "Prof.ssa", "Prof.")},
    "nl": {DOCTOR: ("dr.", "dr.", "dr."), PROFESSOR: ("prof.", "prof.", "prof.")},
    "pl": {DOCTOR: ("Doktorze", "Doktor", "Doktor"), PROFESSOR: ("Profesorze", "Profesor", "Profesor")},
    "pt": {DOCTOR: ("Dr.", "Dra.", "Dr."), PROFESSOR: ("Prof.", "Prof.ª", "Prof.")},
}


def title_kind(title: str | None) -> str | None:
    """doctor, professor, or None for a title we do not know (it is then written as given).
    "Prof. Dr." counts as professor, the higher of the two."""
    if not title:
        return None
    words = [w for w in re.split(r"\s+", title.strip()) if w]
    for kind, pattern in _TITLE_KINDS:
        if any(pattern.match(word) for word in words):
            return kind
    return None


def title_in(language: str, person: Person) -> str | None:
    """The person's title as written in a greeting in this language."""
    kind = title_kind(person.title)
    if kind is None:
        return person.title or None
    male, female, unknown = _TITLE_WORDS[base(language) if base(language) in _TITLE_WORDS else "en"][kind]
    if person.salutation is Salutation.MALE:
        return male
    return female if person.salutation is Salutation.FEMALE else unknown


# --- greetings -----------------------------------------------------------------------------


def greeting(language: str, formal: bool, person: Person) -> str:
    """The opening line of a letter, with its punctuation ("Sehr geehrte Frau Dr. Müller,")."""
    lang = base(language)
    write = (_FORMAL if formal else _INFORMAL).get(lang, _FORMAL["en"] if formal else _INFORMAL["en"])
    return write(person, lang)


def _joined(*words: str | None) -> str:
    return " ".join(w for w in words if w)


@dataclass(frozen=True)
class Formal:
    """How a language opens a formal letter to a named person: (female, male) words, whether an
    academic title takes the honorific's place ("Dra. García") or stands beside it ("Frau Dr.
    Müller"), the punctuation, and the forms where the salutation or the name is unknown."""

    lead: tuple[str, str]
    honorific: tuple[str, str]
    title_replaces: bool
    named: str  # salutation unknown: "{}" is the name
    nobody: str  # no name at all
    end: str = ","
    named_with_title: bool = False
    capital_surname: bool = False  # Dutch: "de Vries" alone is written "De Vries"

    def write(self, p: Person, lang: str) -> str:
        title = title_in(lang, p)
        if p.salutation and p.surname:
            female = p.salutation is Salutation.FEMALE
            honorific = self.honorific[0 if female else 1]
            surname = p.surname[0].upper() + p.surname[1:] if self.capital_surname else p.surname
            middle = (title or honorific) if self.title_replaces else _joined(honorific, title)
            return _joined(self.lead[0 if female else 1], middle, surname) + self.end
        if p.name:
            return self.named.format(_joined(title, p.name) if self.named_with_title else p.name) + self.end
        return self.nobody


FORMS = {
    "en": Formal(("Dear", "Dear"), ("Ms", "Mr"), True, "Dear {}", "Dear Sir or Madam,", named_with_title=True),
    "de": Formal(
        ("Sehr geehrte", "Sehr geehrter"),
        ("Frau", "Herr"),
        False,
        "Guten Tag {}",  # the usual neutral form
        "Sehr geehrte Damen und Herren,",
        named_with_title=True,
    ),
    "es": Formal(("Estimada", "Estimado"), ("Sra.", "Sr."), True, "Buenos días, {}", "Estimados señores:", end=":"),
    "it": Formal(("Gentile", "Gentile"), ("Sig.ra", "Sig."), True, "Gentile {}", "Gentili Signore e Signori,"),
    "nl": Formal(
        ("Geachte", "Geachte"), ("mevrouw", "heer"), False, "Geachte {}", "Geachte heer, mevrouw,", capital_surname=True
    ),
    "pt": Formal(("", ""), ("Exma. Sra.", "Exmo. Sr."), False, "Bom dia, {}", "Exmos. Senhores,"),
}


def _formal_fr(p: Person, lang: str) -> str:
    # A French letter names nobody in its opening: "Madame," "Monsieur," and for a professor
    # "Madame la Professeure," (a doctorate is not used in the opening outside medicine).
    if p.salutation:
        word = {Salutation.FEMALE: "Madame", Salutation.MALE: "Monsieur"}[p.salutation]
        if title_kind(p.title) == PROFESSOR:
            article = "la" if p.salutation is Salutation.FEMALE else "le"
            return f"{word} {article} {title_in(lang, p)},"
        return f"{word},"
    return "Madame, Monsieur,"


def _formal_pl(p: Person, lang: str) -> str:
    # Polish formal letters use the vocative of Pan/Pani with the title, never the name.
    if p.salutation is Salutation.FEMALE:
        return f"{_joined('Szanowna Pani', title_in(lang, p))},"
    if p.salutation is Salutation.MALE:
        return f"{_joined('Szanowny Panie', title_in(lang, p))},"
    return "Szanowni Państwo,"


_FORMAL = {**{lang: form.write for lang, form in FORMS.items()}, "fr": _formal_fr, "pl": _formal_pl}

# Informal mail uses the first name; without one, each language's plain hello.
_HELLO = {
    "en": ("Hi {},", "Hello,"),
    "de": ("Hallo {},", "Hallo,"),
    "fr": ("Bonjour {},", "Bonjour,"),
    "es": ("Hola, {}:", "Hola:"),
    "it": ("Ciao {},", "Buongiorno,"),
    "nl": ("Beste {},", "Hallo,"),
    "pl": ("Cześć,", "Cześć,"),
    "pt": ("Olá, {},", "Olá,"),
}
# (Polish addresses a first name in the vocative, "Marku", "Aniu", which cannot be made
# reliably from the name: informal Polish mail opens with the colleague's "Cześć," and no name;
# "Dzień dobry," is the neutral, formal-leaning hello and sits oddly before "ty".)


def _informal(p: Person, lang: str) -> str:
    named, plain = _HELLO.get(lang, _HELLO["en"])
    return named.format(p.first_name) if p.first_name and "{}" in named else plain


_INFORMAL = dict.fromkeys(_HELLO, _informal)


# --- dates, times, lists -------------------------------------------------------------------


@lru_cache(maxsize=64)
def locale_of(language: str) -> str:
    """A Babel locale for a language code: de-at -> de_AT; plain English is written as in
    Europe (en_GB: 24-hour times, no serial comma); an unknown code -> en_GB."""
    parts = language.replace("-", "_").split("_")
    name = parts[0].lower() + (f"_{parts[1].upper()}" if len(parts) > 1 else "")
    if name == "en":
        return "en_GB"
    from babel import UnknownLocaleError

    try:
        Locale.parse(name)
        return name
    except (UnknownLocaleError, ValueError):
        return "en_GB"


def long_date(day: date | datetime, language: str, today: date | None = None) -> str:
    """ "Tuesday, 1 December 2026", "Dienstag, 1. Dezember 2026", "martes, 1 de diciembre de 2026";
    "lundi 1er mars 2027"; without the year for a day in `today`'s year ("Tuesday, 1 December")."""
    return _dated(day, "full", language, today)


def short_date(day: date | datetime, language: str, today: date | None = None) -> str:
    """ "1 December 2026", "1. Dezember 2026", "1 de diciembre de 2026", "1er mars 2027", "1º marzo
    2027"; without the year for a day in `today`'s year ("1. Dezember"). Without `today` the
    year is always written (documents, and callers that do not know the day they write on)."""
    return _dated(day, "long", language, today)


# The first of the month as an ordinal where the language writes it so ("1er mars", "1º marzo",
# Brazilian "1º de março"); other days, and the other languages, stay cardinal.
_FIRST_OF_MONTH = {"fr": "er", "it": "º", "pt_BR": "º"}


def _dated(day: date | datetime, width: Literal["full", "long"], language: str, today: date | None) -> str:
    locale = locale_of(language)
    pattern = get_date_format(width, locale=locale).pattern
    if today is not None and day.year == today.year:
        pattern = _without_year(pattern)
    suffix = _FIRST_OF_MONTH.get(locale) or _FIRST_OF_MONTH.get(base(language))
    if suffix and day.day == 1:
        pattern = _day_with(pattern, suffix)
    return format_date(day, format=pattern, locale=locale)


def _without_year(pattern: str) -> str:
    """ "EEEE, d 'de' MMMM 'de' y" -> "EEEE, d 'de' MMMM"; unchanged where the year is not last."""
    shorter = re.sub(r"[\s,]*(?:'[^']*'\s*)?y+\s*$", "", pattern)
    return pattern if "y" in _unquoted(shorter) else shorter


def _day_with(pattern: str, suffix: str) -> str:
    """The day field (outside quoted text) followed by a quoted suffix: "d MMMM y" -> "d'er' MMMM y"."""
    parts = re.split(r"('[^']*')", pattern)
    for i, part in enumerate(parts):
        if not part.startswith("'") and re.search(r"(?<!d)d(?!d)", part):
            parts[i] = re.sub(r"(?<!d)d(?!d)", f"d'{suffix}'", part, count=1)
            break
    return "".join(parts)


def _unquoted(pattern: str) -> str:
    return re.sub(r"'[^']*'", "", pattern)


def clock(moment: datetime, language: str) -> str:
    """ "10:00", "10:00 AM" where the language says so."""
    return format_time(moment, format="short", locale=locale_of(language))


def when(moment: datetime, language: str, today: date | None = None) -> str:
    """A meeting's start: long date and time in the language's order."""
    return f"{long_date(moment, language, today)}, {clock(moment, language)}"


def number(value: float, language: str) -> str:
    """ "1,5" or "1.5", "1 200" or "1,200", as the language writes numbers."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale_of(language))


# CLDR's plural categories in their order. A unit's forms are given as one text in this order,
# the last always "other" and the categories the writer leaves out taking it: "Auszubildender|
# Auszubildende", "apprenti|apprentis", Polish one|few|many|other "praktykant|praktykanci|
# praktykantów|praktykanta".
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def _plural_locale(language: str) -> Locale:
    """Portuguese as we write it is European: "1,5 aprendizes" (pt_PT), not Brazilian "1,5 aprendiz"."""
    name = locale_of(language)
    return Locale.parse("pt_PT" if name == "pt" else name)


def plural_categories(language: str) -> tuple[str, ...]:
    """The plural categories the language's numbers fall into, in CLDR's order (en: one, other)."""
    used = _plural_locale(language).plural_form.tags | {"other"}
    return tuple(category for category in PLURAL_CATEGORIES if category in used)


def plural_category(value: float, language: str) -> str:
    """CLDR's category of a number as written: 1 -> one; 1.5 -> other in German, one in French;
    4 -> few and 5 -> many in Polish."""
    return str(_plural_locale(language).plural_form(_as_written(value)))


def unit_forms(forms: str, language: str) -> dict[str, str]:
    """ "Auszubildender|Auszubildende" -> {"one": ..., "other": ...}: the forms in CLDR's order of
    the language's categories, the last one "other" (a unit written once is every category's)."""
    given = [form.strip() for form in forms.split("|") if form.strip()] or [forms.strip()]
    *leading, other = given
    return {**dict(zip(plural_categories(language)[:-1], leading, strict=False)), "other": other}


def unit_word(value: float, language: str, forms: str | Mapping[str, str]) -> str:
    """The form of a unit that agrees with the number; a category without its own form takes "other"."""
    by_category = unit_forms(forms, language) if isinstance(forms, str) else forms
    fallback = by_category.get("other") or next(iter(by_category.values()), "")
    return by_category.get(plural_category(value, language)) or fallback


def units(value: float, language: str, forms: str | Mapping[str, str]) -> str:
    """ "4 Auszubildende", "1 Auszubildender", "1,5 apprenti", "5 praktykantów": the number as the
    language writes it and the unit in the form that agrees with it, joined by a no-break space."""
    return f"{number(value, language)}\u00a0{unit_word(value, language, forms)}"


def _as_written(value: float) -> int | Decimal:
    """A number as a reader sees it: 4.0 is written (and counted) as 4; 1.5 keeps its decimals."""
    if float(value).is_integer():
        return int(value)
    return Decimal(str(value))


# Each language's region where the code names none: our English is British, our Portuguese European.
_REGIONS = {"en": "GB", "de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL", "pl": "PL", "pt": "PT"}


def language_tag(language: str) -> str:
    """The language as a document declares it (BCP 47, as Word's w:lang and a PDF's /Lang):
    de -> de-DE, de-at -> de-AT, en -> en-GB."""
    parts = language.replace("_", "-").split("-")
    region = parts[1].upper() if len(parts) > 1 and parts[1] else _REGIONS.get(parts[0].lower())
    return f"{parts[0].lower()}-{region}" if region else parts[0].lower()


def and_list(words: list[str], language: str) -> str | None:
    """ "training, mobility and funding" in the language's way; None for no words."""
    return _and_list(tuple(words), language) if words else None


@lru_cache(maxsize=1024)
def _and_list(words: tuple[str, ...], language: str) -> str:
    text = format_list(words, locale=locale_of(language))
    if base(language) == "es":  # "y" becomes "e" before an /i/ sound: "formación e innovación"
        text = re.sub(r" y (?=(?:[iI]|[hH][iI])(?![eE]))", " e ", text)
    return text
