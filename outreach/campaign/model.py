"""The campaign file's shape, validated with pydantic. Unknown keys are refused everywhere.

Sections: the institution profile (the guide's one-pager), the sender mailbox, the message
(template, register, language), the partners (inline or a logbook file), the follow-up
sequence, the sending window and caps, and the exploration-meeting settings.
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    HttpUrl,
    PrivateAttr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from outreach.domain.logbook import LOGBOOK_FIELDS
from outreach.domain.records import (
    Country,
    Email,
    Language,
    Maybe,
    PartnerIn,
    RegisterField,
    SalutationField,
    SingleLine,
    Strict,
    TimeZoneName,
    enum_parser,
)
from outreach.domain.vocabulary import Register

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BUSINESS_DAYS = WEEKDAYS[:5]


def _weekday(value: str) -> str:
    day = str(value).strip().lower()[:3]
    if day not in WEEKDAYS:
        raise ValueError(f"{value!r} is not a weekday; use mon, tue, wed, thu, fri, sat, sun")
    return day


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", value):
        raise ValueError(f"{value!r}: use lower-case letters, digits, '-' and '_' (e.g. employers-2027)")
    return value


Weekday = Annotated[str, AfterValidator(_weekday)]
Slug = Annotated[str, AfterValidator(_slug)]
Bullets = list[Annotated[str, Field(min_length=1)]]


class ContactDetails(Strict):
    """The one-pager's 'Contact details' and the signature of every message."""

    name: SingleLine
    position: SingleLine  # in the campaign's language; `translations.LANG.position` in others
    salutation: Maybe[SalutationField] = None  # the sender's grammatical gender (Frau/Herr, Ms/Mr, ...)
    email: Email
    phone: Maybe[SingleLine] = None
    website: Maybe[HttpUrl] = None
    linkedin: Maybe[HttpUrl] = None


class ProfileText(Strict):
    """The one-pager's four sections, in one language."""

    who_we_are: str = Field(min_length=1)
    what_we_offer: Bullets = Field(min_length=1)
    what_we_are_looking_for: Bullets = Field(min_length=1)
    why_partner_with_us: Bullets = Field(min_length=1, max_length=5)


class Profile(ProfileText):
    """The profile in one more language, written (not machine-translated) for its readers.
    `region` is the place as that language names it (Hambourg, Amburgo, Hamburgo)."""

    name: Maybe[SingleLine] = None
    region: Maybe[SingleLine] = None
    position: Maybe[SingleLine] = None  # the sender's position as this language says it


class Institution(ProfileText):
    """Who we are: the guide's introductory one-pager, section by section, written in the
    campaign's language (`message.language`); `translations` gives it in others."""

    name: SingleLine
    address: Maybe[SingleLine] = None
    city: Maybe[SingleLine] = None  # our place as meeting mails name it ("11:00 in Hamburg"); else the zone's city
    region: Maybe[SingleLine] = None
    country: Maybe[Country] = None
    contact: ContactDetails
    translations: dict[Language, Profile] = {}


class Security(StrEnum):
    SSL = "ssl"
    STARTTLS = "starttls"
    NONE = "none"


SecurityField = Annotated[Security, BeforeValidator(enum_parser(Security))]


class Server(Strict):
    host: SingleLine
    port: int = Field(ge=1, le=65535)
    security: SecurityField = Security.SSL
    verify_certificates: bool = True


class ImapServer(Server):
    inbox: SingleLine = "INBOX"
    sent_folder: SingleLine = "Sent"
    append_to_sent: bool = True
    processed_folder: Maybe[SingleLine] = None


SECRET_SOURCES = ("password_env", "password_file", "oauth2_token_env", "oauth2_token_file", "oauth2_token_command")


class Credentials(Strict):
    """How to log in. Secrets come from the environment or a file, never from this file."""

    username: SingleLine
    password_env: Maybe[SingleLine] = None
    password_file: Maybe[Path] = None
    oauth2_token_env: Maybe[SingleLine] = None
    oauth2_token_file: Maybe[Path] = None
    oauth2_token_command: Maybe[str] = None
    # Set by the run time, never by a file: why these credentials may not be used (a campaign
    # uploaded through the workspace that names secret sources of its own). See mail/secrets.py.
    _refused: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> tuple[str, str]:
        """The one secret source: its kind (e.g. password_env) and what it names."""
        return next((name, str(getattr(self, name))) for name in SECRET_SOURCES if getattr(self, name) is not None)

    @model_validator(mode="after")
    def _exactly_one_secret(self):
        given = [name for name in SECRET_SOURCES if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of password_env, password_file, oauth2_token_env, "
                f"oauth2_token_file, oauth2_token_command (found: {', '.join(given) or 'none'})"
            )
        return self


def _authserv_id(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,252}", value):
        raise ValueError(
            f"{value!r} is not an authserv-id: give the name your receiving mail server writes first "
            "in its Authentication-Results header (e.g. mx.school.example)"
        )
    return value.lower()


AuthservId = Annotated[str, AfterValidator(_authserv_id)]


class Mailbox(Strict):
    """The provider's own mailbox: it sends the mail and its inbox is watched."""

    address: Email
    display_name: SingleLine
    reply_to: Maybe[Email] = None
    plus_addressing: bool = False  # Reply-To: local+TOKEN@domain, so every answer names its message
    smtp: Server
    imap: ImapServer
    auth: Credentials
    # The authserv-id(s) of the server that receives this mailbox's mail: only its
    # Authentication-Results are believed (outreach.inbound.authresults).
    authserv_id: Maybe[AuthservId | list[AuthservId]] = None

    @property
    def authserv_ids(self) -> tuple[str, ...]:
        value = self.authserv_id
        return tuple(value) if isinstance(value, list) else ((value,) if value else ())


class NamedMailbox(Strict):
    """A mailbox named by its address alone: the administrator's registry (`outreach mailboxes
    add`) supplies its servers and its secret when the campaign is queued and when it runs."""

    address: Email


def _mailbox_kind(value) -> str:
    """`mailbox: officer@school.example` or `mailbox: {address: ...}` names a registered mailbox;
    anything more is the mailbox written out in full."""
    if isinstance(value, (str, NamedMailbox)):
        return "[named]"
    if isinstance(value, dict) and set(value) <= {"address"}:
        return "[named]"
    return "[inline]"


def _address_alone(value):
    return {"address": value} if isinstance(value, str) else value


# The tags are bracketed so that problem locations leave them out (domain/problems.py).
MailboxSetting = Annotated[
    Annotated[Mailbox, Tag("[inline]")] | Annotated[NamedMailbox, Tag("[named]")],
    Discriminator(_mailbox_kind),
    BeforeValidator(_address_alone),
]


class MessageSettings(Strict):
    template: Slug = "first_contact"
    register: RegisterField = Register.FORMAL
    language: Language = "en"
    template_dir: Maybe[Path] = None
    # The one-pager (HTML and PDF) goes with the first contact, as a person sends it, and with the
    # first mail to a colleague a partner introduced; later mail only where its step asks for it.
    attach_one_pager: bool = True
    # A short, polite closing mail (the `closing` template) when a partner says no.
    closing_mail: bool = False
    # A List-Unsubscribe header marks mail as list mail: out-of-office responders (Sieve
    # vacation, Exchange) then stay silent. Only for bulk sending.
    list_unsubscribe: bool = False


class PartnersFile(Strict):
    """A CSV or XLSX partner logbook, with the file's own column names where they differ."""

    path: Path
    sheet: Maybe[SingleLine] = None
    encoding: SingleLine = "utf-8-sig"
    columns: dict[str, str] = {}

    @model_validator(mode="after")
    def _known_columns(self):
        unknown = sorted(set(self.columns) - set(LOGBOOK_FIELDS))
        if unknown:
            raise ValueError(
                f"columns: unknown logbook field(s) {', '.join(unknown)}; map any of: {', '.join(LOGBOOK_FIELDS)}"
            )
        return self


class SequenceStep(Strict):
    """A follow-up, sent when no answer has come after some business days."""

    name: Slug
    after_business_days: int = Field(ge=1, le=120)
    template: Slug = "follow_up"
    # The one-pager went with the first contact; a step sends it again only when it says so.
    attach_one_pager: bool = False


class Hours(Strict):
    days: list[Weekday] = Field(default=list(BUSINESS_DAYS), min_length=1)
    start: time = time(9, 0)
    end: time = time(17, 0)

    @model_validator(mode="after")
    def _start_before_end(self):
        if self.start >= self.end:
            raise ValueError(f"start ({self.start:%H:%M}) must be before end ({self.end:%H:%M})")
        return self


class Sending(Hours):
    """When and how fast mail goes out: a pace the provider accepts."""

    timezone: TimeZoneName = "Europe/Brussels"
    max_per_hour: int = Field(default=30, ge=1, le=10_000)
    max_per_day: int = Field(default=200, ge=1, le=100_000)
    seconds_between_messages: float = Field(default=5.0, ge=0, le=3600)


class Availability(Hours):
    """When the first exploration meeting can take place (organiser's timezone)."""

    days: list[Weekday] = Field(default=["tue", "wed", "thu"], min_length=1)
    start: time = time(10, 0)
    end: time = time(16, 0)
    min_working_days_ahead: int = Field(default=3, ge=0, le=60)
    holidays: list[date] = []


class StaffCalendar(Strict):
    """Staff's own calendar (CalDAV: Nextcloud, Radicale, Fastmail, iCloud, ...): the meetings
    are put in it, and its busy times are kept free when a slot is chosen."""

    url: HttpUrl  # the calendar collection, e.g. https://cloud.school.example/remote.php/dav/calendars/jana/meetings/
    auth: Credentials | None = None
    verify_certificates: bool = True


class AutoInvite(StrEnum):
    """When a reply that reads as interested gets its invitation without a person: only when
    the reading is confident (`acts`), on every interested reading, or never (a person
    decides on the Today page)."""

    CONFIDENT = "confident"
    ALWAYS = "always"
    NEVER = "never"


class Meeting(Strict):
    """The first exploration meeting (the guide's agenda template)."""

    auto_invite: AutoInvite = AutoInvite.CONFIDENT
    duration_minutes: int = Field(default=45, ge=15, le=240)
    online_link: Maybe[HttpUrl] = None
    location: Maybe[SingleLine] = None
    timezone: Maybe[TimeZoneName] = None
    availability: Availability = Availability()
    offer_next_slot_on_decline: bool = True
    staff_calendar: StaffCalendar | None = None
    # Without a CalDAV calendar: staff invited too, so the meeting lands in their calendar.
    staff_attendees: list[Email] = []
    # The next-steps mail is drafted from the meeting's recorded outcome and goes out when staff
    # approve it; with a number, it goes that many hours after the outcome is recorded.
    next_steps_after_hours: Maybe[int] = Field(default=None, ge=1, le=336)
    # The booking page: an interested partner is answered with a link to pick a slot themselves.
    booking: bool = False
    booking_link_days: int = Field(default=30, ge=1, le=365)  # how long a link works
    workspace_url: Maybe[HttpUrl] = None  # where partners reach the workspace, e.g. https://outreach.school.example

    @model_validator(mode="after")
    def _booking_needs_an_address(self):
        if self.booking and self.workspace_url is None:
            raise ValueError(
                "booking: true needs workspace_url: the address partners reach the workspace at, "
                "e.g. https://outreach.school.example"
            )
        url = self.workspace_url
        if url is not None and url.scheme != "https" and url.host not in ("localhost", "127.0.0.1", "[::1]"):
            raise ValueError(f"workspace_url {url} is not https: booking links carry a key, so give the https address")
        return self

    @field_validator("auto_invite", mode="before")
    @classmethod
    def _auto_invite_of_old(cls, value: object) -> object:
        """Campaign files of before: `true` invited on confident readings, `false` never."""
        if isinstance(value, bool):
            return AutoInvite.CONFIDENT if value else AutoInvite.NEVER
        return value


SCORED_FIELDS = (
    "country",
    "region",
    "source",
    "partnership_types",
    "tags",
    "focus_area",
    "notes",
    "phase",
    "status",
    "website",
    "mutual_contact",
)


def _scored_field(value: str) -> str:
    value = value.strip()
    if value in SCORED_FIELDS or (value.startswith("extra:") and len(value) > 6):
        return value
    raise ValueError(
        f"{value!r} is not a field to score; use one of {', '.join(SCORED_FIELDS)}, "
        "or extra:HEADING for a column kept from the spreadsheet (e.g. extra:Size)"
    )


class Criterion(Strict):
    """One selection criterion: met when the partner's field has one of the values."""

    name: SingleLine
    field: Annotated[str, AfterValidator(_scored_field)]
    values: list[SingleLine] = []
    weight: float = Field(default=1, ge=0, le=100)


class Selection(Strict):
    """The guide's "define clear partner selection criteria": weighted, with reasons per partner.
    When the caps bind, the first contacts go out in score order."""

    criteria: list[Criterion] = Field(default=[], max_length=50)
    criteria_file: Maybe[Path] = None  # a YAML file with more criteria (a list), shared by campaigns


class CriteriaFile(Strict):
    """A criteria file: the list under `criteria`."""

    criteria: list[Criterion] = Field(min_length=1, max_length=50)


class CheckIns(Strict):
    """Maintenance and growth: regular check-ins, as mails (the default) or as one recurring
    meeting series in the partner's and our calendars (RFC 5545 RRULE)."""

    as_meetings: bool = False
    every_months: int = Field(default=3, ge=1, le=12)


class CampaignFile(Strict):
    name: Slug
    description: Maybe[str] = None
    institution: Institution
    mailbox: MailboxSetting
    message: MessageSettings = MessageSettings()
    partners: list[PartnerIn] = []
    partners_file: PartnersFile | None = None
    sequence: list[SequenceStep] = []
    sending: Sending = Sending()
    meeting: Meeting = Meeting()
    selection: Selection = Selection()
    check_ins: CheckIns = CheckIns()
    notify_staff: Maybe[Email] = None

    @property
    def resolved_mailbox(self) -> Mailbox:
        """The mailbox written out in full, as every path that sends or watches has it once the
        settings are resolved (outreach.settings.mailboxes.resolved)."""
        if not isinstance(self.mailbox, Mailbox):
            raise TypeError(f"the mailbox {self.mailbox.address} is named but was never resolved from the registry")
        return self.mailbox

    def attaches_one_pager(self, step_name: str, template: str) -> bool:
        """Whether a step's mail carries the one-pager: the first contact (and the first mail to
        an introduced colleague) where `message.attach_one_pager`; a step of the sequence where
        it sets `attach_one_pager: true`; no other mail."""
        if step_name == "first_contact" or template == "introduction":
            return self.message.attach_one_pager
        step = next((s for s in self.sequence if s.name == step_name), None)
        return step is not None and step.attach_one_pager

    @model_validator(mode="after")
    def _has_partners(self, info: ValidationInfo):
        stored = bool(info.context and info.context.get("stored"))  # a queued campaign's row
        if not stored and not self.partners and self.partners_file is None:
            raise ValueError("a campaign needs partners: list them under 'partners' or name a 'partners_file'")
        return self

    @field_validator("sequence")
    @classmethod
    def _sequence_in_order(cls, steps: list[SequenceStep]):
        names = [step.name for step in steps]
        if len(names) != len(set(names)):
            raise ValueError("every step needs its own name")
        delays = [step.after_business_days for step in steps]
        if delays != sorted(set(delays)):
            raise ValueError("after_business_days must grow from step to step")
        return steps
