"""Validated input records for partners and contacts, shared by the campaign file and the
logbook import. Pure: pydantic validation only, no I/O."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from datetime import time
from enum import Enum
from typing import Annotated, Any, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import email_validator
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

from outreach.domain.vocabulary import (
    ContactStatus,
    PartnershipType,
    PartnerStatus,
    Phase,
    Register,
    Salutation,
    Source,
)

T = TypeVar("T")
E = TypeVar("E", bound=Enum)


# "register" is the guide's word (formal/informal); pydantic merely warns that it shadows
# ABCMeta.register, which no model here uses.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


# C0 controls (tab aside), DEL, and the Unicode line and paragraph separators.
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")


class Strict(BaseModel):
    """Unknown keys are refused; surrounding spaces are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _single_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must be on one line (a line break here could forge mail headers)")
    bad = CONTROL.search(value)
    if bad:
        raise ValueError(
            f"holds the control character U+{ord(bad.group(0)):04X}: remove it "
            "(control characters are refused in anything that goes into a mail header)"
        )
    return value


def _email(value: str) -> str:
    try:
        checked = email_validator.validate_email(value, check_deliverability=False, test_environment=True)
    except email_validator.EmailNotValidError as error:
        raise ValueError(f"{value!r} is not a valid email address: {error}") from None
    return checked.normalized.lower()


def _language(value: str) -> str:
    value = value.strip().lower().replace("_", "-")
    if not re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", value):
        raise ValueError(f"{value!r} is not a language code such as en, de, fr or de-at")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA timezone such as Europe/Berlin") from None
    return value


HOURS = re.compile(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*[-–]\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*")
DEFAULT_HOURS = (time(9, 0), time(17, 0))


def _working_hours(value: str) -> str:
    found = HOURS.fullmatch(value)
    if found is None:
        raise ValueError(f"{value!r} is not a span of hours: write it as HH:MM-HH:MM, e.g. 08:30-16:00")
    start, end = time(int(found[1]), int(found[2])), time(int(found[3]), int(found[4]))
    if start >= end:
        raise ValueError(f"{value!r} ends before it starts: write it as HH:MM-HH:MM, e.g. 08:30-16:00")
    return f"{start:%H:%M}-{end:%H:%M}"


def hours_of(value: str | None) -> tuple[time, time]:
    """A partner's working hours (HH:MM-HH:MM, checked on the way in); 09:00-17:00 when none."""
    if not value:
        return DEFAULT_HOURS
    start, end = value.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def _country(value: str) -> str:
    value = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(f"{value!r} is not a two-letter country code such as DE, FR or NO")
    return value


def _domain(value: str) -> str:
    """A mail domain; an international one (bücher.example) is checked in its ASCII form and
    kept as written, like the addresses that use it."""
    value = value.strip().lower().removeprefix("@")
    try:
        ascii_form = value.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_form = ""
    if not re.fullmatch(r"(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z0-9-]{2,63}", ascii_form):
        raise ValueError(f"{value!r} is not a mail domain such as company.example")
    return value


def _list_of_words(value: object) -> object:
    """A list, or one cell with items separated by commas, semicolons or bars."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;|]", value) if part.strip()]
    return value


def enum_parser(enum: type[E]) -> Callable[[object], E]:
    def parse(value: object) -> E:
        if isinstance(value, enum):
            return value
        parse_words = getattr(enum, "parse", None)
        if parse_words is not None:
            return cast(E, parse_words(str(value)))
        try:
            return enum(str(value).strip().lower())
        except ValueError:
            raise ValueError(f"{value!r} is not one of: {', '.join(m.value for m in enum)}") from None

    return parse


LEVELS = {
    "low": 1,
    "medium": 3,
    "high": 5,
    "niedrig": 1,
    "mittel": 3,
    "hoch": 5,
    "faible": 1,
    "moyen": 3,
    "fort": 5,
    "élevé": 5,
    "bajo": 1,
    "medio": 3,
    "alto": 5,
    "basso": 1,
    "laag": 1,
    "gemiddeld": 3,
    "hoog": 5,
    "niski": 1,
    "średni": 3,
    "wysoki": 5,
    "baixo": 1,
    "médio": 3,
}


def _level(value: object) -> object:
    """1 to 5, or a word for low, medium, high in our languages."""
    if isinstance(value, str) and not value.strip().isdigit():
        word = value.strip().casefold()
        if word not in LEVELS:
            raise ValueError(f"{value!r} is not a level: write 1 to 5, or low, medium or high")
        return LEVELS[word]
    return value


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


SingleLine = Annotated[str, AfterValidator(_single_line)]
Level = Annotated[int, BeforeValidator(_level), Field(ge=1, le=5)]
Email = Annotated[str, AfterValidator(_email)]
Language = Annotated[str, AfterValidator(_language)]
TimeZoneName = Annotated[str, AfterValidator(_timezone)]
WorkingHours = Annotated[str, AfterValidator(_working_hours)]
Country = Annotated[str, AfterValidator(_country)]
MailDomain = Annotated[str, AfterValidator(_domain)]


Maybe = Annotated[T | None, BeforeValidator(_blank_to_none)]  # optional: an empty cell or string means 'not given'


def optional(kind: Any) -> Any:
    """Maybe[kind], for a kind made at run time."""
    return Annotated[kind | None, BeforeValidator(_blank_to_none)]


def enum_of(enum: type[Enum]) -> Any:
    """An enum read from what people write: its key or its label, any case (see LabelledEnum.parse)."""
    return Annotated[enum, BeforeValidator(enum_parser(enum))]


# The guide's kinds as fields of files: each read by its own parser.
SourceField = Annotated[Source, BeforeValidator(enum_parser(Source))]
PartnershipTypeField = Annotated[PartnershipType, BeforeValidator(enum_parser(PartnershipType))]
PhaseField = Annotated[Phase, BeforeValidator(enum_parser(Phase))]
PartnerStatusField = Annotated[PartnerStatus, BeforeValidator(enum_parser(PartnerStatus))]
ContactStatusField = Annotated[ContactStatus, BeforeValidator(enum_parser(ContactStatus))]
RegisterField = Annotated[Register, BeforeValidator(enum_parser(Register))]
SalutationField = Annotated[Salutation, BeforeValidator(enum_parser(Salutation))]


class ContactIn(Strict):
    """A person to write to at a partner organisation."""

    email: Email
    name: Maybe[SingleLine] = Field(default=None, max_length=200)
    salutation: Maybe[SalutationField] = None
    title: Maybe[SingleLine] = Field(default=None, max_length=60)
    family_name: Maybe[SingleLine] = Field(default=None, max_length=200)
    role: Maybe[SingleLine] = Field(default=None, max_length=200)
    language: Maybe[Language] = None
    register: Maybe[RegisterField] = None
    timezone: Maybe[TimeZoneName] = None
    status: Maybe[ContactStatusField] = None
    # Where the contact was read (file, line or row, and the field or column of its address), for
    # a problem found later, in the logbook.
    _origin: tuple[str, int | None, str] | None = PrivateAttr(default=None)

    def read_at(self, source: str, line: int | None, field: str = "email") -> ContactIn:
        self._origin = (source, line, field)
        return self

    @property
    def origin(self) -> tuple[str, int | None, str] | None:
        return self._origin

    def __eq__(self, other: object) -> bool:  # the same contact, wherever it was read
        return self.__dict__ == other.__dict__ if isinstance(other, ContactIn) else NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.items()))


class PartnerIn(Strict):
    """A partner organisation as a campaign file or a logbook row gives it."""

    name: SingleLine = Field(min_length=1, max_length=200)  # the logbook's column sizes, checked before writing
    website: Maybe[SingleLine] = Field(default=None, max_length=300)
    mail_domain: Maybe[MailDomain] = None
    country: Maybe[Country] = None
    region: Maybe[SingleLine] = Field(default=None, max_length=120)
    working_hours: Maybe[WorkingHours] = None  # where they are (their contact's or country's zone)
    source: Maybe[SourceField] = None
    partnership_types: Annotated[list[PartnershipTypeField], BeforeValidator(_list_of_words)] = []
    focus_area: Maybe[str] = Field(default=None, max_length=20_000)
    personal_note: Maybe[SingleLine] = Field(default=None, max_length=1000)
    notes: Maybe[str] = Field(default=None, max_length=20_000)
    tags: Annotated[list[SingleLine], BeforeValidator(_list_of_words)] = []
    # Columns of the partner's spreadsheet the logbook has no field for (phone, size, ...), kept as given.
    extra: dict[Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=2000)]] = Field(
        default={}, max_length=50
    )
    influence: Maybe[Level] = None  # the stakeholder matrix: 1 (low) to 5 (high)
    interest: Maybe[Level] = None
    phase: Maybe[PhaseField] = None
    status: Maybe[PartnerStatusField] = None
    contacts: list[ContactIn] = []

    @property
    def key(self) -> tuple[str, str]:
        """How an organisation without a known contact is recognised: name and country."""
        return name_key(self.name), (self.country or "")

    def derived_mail_domain(self) -> str | None:
        if self.mail_domain:
            return self.mail_domain
        domains = {c.email.rsplit("@", 1)[1] for c in self.contacts}
        return domains.pop() if len(domains) == 1 else None


def name_key(name: str) -> str:
    """An organisation name folded for matching: case, accents kept, spacing collapsed."""
    return " ".join(name.casefold().split())
