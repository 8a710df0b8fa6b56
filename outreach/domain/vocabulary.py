"""The guide's own words: partner sources, partnership types, phases, registers.

Each enum value is the stable key stored in the database and written in files; `label`
is the readable wording from the guide, used in templates and tables.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from enum import StrEnum
from typing import Self, cast


class LabelledEnum(StrEnum):
    """A string enum whose members carry the guide's readable wording."""

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept the key or the label, ignoring case, spaces, dashes and underscores."""
        return cast(Self, _parsed(cls, text))


@functools.lru_cache(maxsize=4096)  # a logbook writes the same few words on every row
def _parsed(cls: type[LabelledEnum], text: str) -> LabelledEnum:
    wanted = _squash(text)
    for member in cls:
        if wanted in _spellings(member):
            return member
    raise ValueError(f"{text!r} is not one of: {', '.join(m.value for m in cls)}")


def _squash(text: str) -> str:
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"\b(partnerships?|alliances?)\b", "", text)
    return "".join(ch for ch in text if ch.isalnum())


@functools.cache
def _spellings(member: LabelledEnum) -> frozenset[str]:
    return frozenset({_squash(member.value), _squash(member.label)})


class Source(LabelledEnum):
    """Where a partner was found (the guide's "Where to Find Partners")."""

    CHAMBER = ("chamber", "Business association or chamber of commerce")
    MUNICIPALITY = ("municipality", "Municipality or regional development agency")
    EMPLOYER = ("employer", "Local employer or SME")
    NGO = ("ngo", "NGO or social enterprise")
    ALUMNI = ("alumni", "Alumni network")
    ERASMUS_NA = ("erasmus_national_agency", "Erasmus+ National Agency")
    EPALE = ("epale", "EPALE")
    ETWINNING = ("etwinning", "eTwinning")
    EU_VET_NETWORK = ("eu_vet_network", "EU VET network (EfVET, EARLALL, ...)")
    SECTOR_SKILLS_ALLIANCE = ("sector_skills_alliance", "Sector Skills Alliance")
    TRADE_FAIR = ("trade_fair", "Trade fair or skills competition")
    LINKEDIN = ("linkedin", "LinkedIn")
    COMPANY_WEBSITE = ("company_website", "Company website")
    JOB_BOARD = ("job_board", "Job board")
    ONLINE_EVENT = ("online_event", "Online forum, webinar or professional event")
    OTHER = ("other", "Other")


class PartnershipType(LabelledEnum):
    """The guide's eleven types of partnership."""

    TRAINING = ("training", "training partnership")
    MOBILITY = ("mobility", "mobility partnership")
    INNOVATION = ("innovation", "innovation partnership")
    FUNDING = ("funding", "funding partnership")
    INFRASTRUCTURE = ("infrastructure", "infrastructure partnership")
    HR_TALENT = ("hr_talent", "HR and talent partnership")
    QUALITY = ("quality", "quality and certification partnership")
    ENTREPRENEURSHIP = ("entrepreneurship", "entrepreneurship partnership")
    COMMUNITY = ("community", "community and inclusion partnership")
    INTERNATIONAL = ("international", "international alliance")
    DATA = ("data", "data and intelligence partnership")


class Phase(LabelledEnum):
    """The guide's five phases of relationship building, in order."""

    SCOUTING = ("scouting", "Scouting")
    FIRST_CONTACT = ("first_contact", "First contact")
    PROPOSAL = ("proposal", "Proposal")
    COLLABORATION_SETUP = ("collaboration_setup", "Collaboration setup")
    MAINTENANCE = ("maintenance", "Maintenance and growth")


class PartnerStatus(LabelledEnum):
    ACTIVE = ("active", "Active")
    PAUSED = ("paused", "Later")  # "not now": asked again on `Partner.later_until`
    UNREACHABLE = ("unreachable", "Unreachable")
    DECLINED = ("declined", "Declined")  # said no: the sequence stops
    OPTED_OUT = ("opted_out", "Opted out")  # every contact asked for no more mail
    CLOSED = ("closed", "Closed")


# Partners off the active board: shown under the Pipeline's "Closed" filter.
CLOSED_STATUSES = (PartnerStatus.DECLINED, PartnerStatus.OPTED_OUT, PartnerStatus.UNREACHABLE, PartnerStatus.CLOSED)


def status_text(status: PartnerStatus, later_until: date | None = None) -> str:
    """A partner's status as people read it, apart from the phase: "Later until 2027-03-01"."""
    if status is PartnerStatus.PAUSED and later_until is not None:
        return f"Later until {later_until.isoformat()}"
    return status.label


class ContactStatus(LabelledEnum):
    ACTIVE = ("active", "Active")
    UNREACHABLE = ("unreachable", "Unreachable")
    OPTED_OUT = ("opted_out", "Opted out")


class Register(LabelledEnum):
    """Formal (Sie, vous) or informal (du, tu), as in the guide's two annex emails."""

    FORMAL = ("formal", "Formal")
    INFORMAL = ("informal", "Informal")


class Salutation(LabelledEnum):
    """How a person is addressed in a formal letter. Import files say it in their own
    language (Frau, Mme, Sra., Sig.ra, Pani, mevrouw, ...): every usual form is read."""

    FEMALE = ("female", "Ms / Frau / Madame / Sra. / Sig.ra / Pani / mevrouw")
    MALE = ("male", "Mr / Herr / Monsieur / Sr. / Sig. / Pan / de heer")

    @classmethod
    def parse(cls, text: str) -> Salutation:
        word = "".join(ch for ch in str(text).casefold() if ch.isalnum())
        for member, words in _SALUTATION_WORDS.items():
            if word in words:
                return member
        raise ValueError(
            f"{text!r} is not a salutation we know; write one of Frau/Herr, Ms/Mr, Mme/M., "
            "Sra./Sr., Sig.ra/Sig., Pani/Pan, mevrouw/de heer, or female/male"
        )


_SALUTATION_WORDS = {
    Salutation.FEMALE: {
        "female",
        "f",
        "w",
        "ms",
        "mrs",
        "miss",
        "madam",
        "frau",
        "fr",
        "madame",
        "mme",
        "mademoiselle",
        "mlle",
        "sra",
        "señora",
        "senora",
        "senhora",
        "dona",
        "sigra",
        "signora",
        "sigrina",
        "signorina",
        "pani",
        "mevrouw",
        "mevr",
        "mw",
        "exma",
        "exmasra",
        "weiblich",
    },
    Salutation.MALE: {
        "male",
        "m",
        "mr",
        "sir",
        "herr",
        "hr",
        "monsieur",
        "sr",
        "señor",
        "senor",
        "senhor",
        "dom",
        "sig",
        "signor",
        "signore",
        "pan",
        "deheer",
        "heer",
        "dhr",
        "exmo",
        "exmosr",
        "männlich",
    },
}


class Direction(LabelledEnum):
    OUT = ("out", "Sent")
    IN = ("in", "Received")
    INTERNAL = ("internal", "Internal")


class StepStatus(LabelledEnum):
    """A scheduled outgoing message. `sending` is claimed; `uncertain` may have gone out
    (a crash between the server's acceptance and our record) and is never sent again."""

    SCHEDULED = ("scheduled", "Scheduled")
    QUEUED = ("queued", "Queued")
    SENDING = ("sending", "Sending")
    SENT = ("sent", "Sent")
    CANCELLED = ("cancelled", "Cancelled")
    FAILED = ("failed", "Failed")
    UNCERTAIN = ("uncertain", "Uncertain")
    HELD = ("held", "Held")  # kept back until staff resume it (after a rejection of our mail)


class InteractionKind(LabelledEnum):
    EMAIL = ("email", "Email")
    MEETING = ("meeting", "Meeting")
    NOTE = ("note", "Note")
    BOUNCE = ("bounce", "Bounce")
    AUTO_REPLY = ("auto_reply", "Out of office")
    OPT_OUT = ("opt_out", "Opt-out")
    DELAYED = ("delayed", "Delivery delayed")
    RECEIPT = ("receipt", "Read receipt")


# How each partnership type reads in "we are seeking partnerships in the field of ...",
# per language of the default templates.
FIELD_WORDS: dict[str, dict[PartnershipType, str]] = {
    "en": {
        PartnershipType.TRAINING: "training",
        PartnershipType.MOBILITY: "mobility",
        PartnershipType.INNOVATION: "innovation",
        PartnershipType.FUNDING: "funding",
        PartnershipType.INFRASTRUCTURE: "shared infrastructure",
        PartnershipType.HR_TALENT: "recruitment",
        PartnershipType.QUALITY: "quality assurance",
        PartnershipType.ENTREPRENEURSHIP: "entrepreneurship",
        PartnershipType.COMMUNITY: "inclusion",
        PartnershipType.INTERNATIONAL: "international cooperation",
        PartnershipType.DATA: "labour-market intelligence",
    },
    "de": {
        PartnershipType.TRAINING: "Aus- und Weiterbildung",
        PartnershipType.MOBILITY: "Mobilität",
        PartnershipType.INNOVATION: "Innovation",
        PartnershipType.FUNDING: "Finanzierung",
        PartnershipType.INFRASTRUCTURE: "Infrastruktur",
        PartnershipType.HR_TALENT: "Nachwuchsgewinnung",
        PartnershipType.QUALITY: "Qualitätssicherung",
        PartnershipType.ENTREPRENEURSHIP: "Unternehmertum",
        PartnershipType.COMMUNITY: "Inklusion",
        PartnershipType.INTERNATIONAL: "internationale Zusammenarbeit",
        PartnershipType.DATA: "Arbeitsmarktanalyse",
    },
    "fr": {
        PartnershipType.TRAINING: "formation",
        PartnershipType.MOBILITY: "mobilité",
        PartnershipType.INNOVATION: "innovation",
        PartnershipType.FUNDING: "financement",
        PartnershipType.INFRASTRUCTURE: "infrastructures partagées",
        PartnershipType.HR_TALENT: "recrutement",
        PartnershipType.QUALITY: "assurance qualité",
        PartnershipType.ENTREPRENEURSHIP: "entrepreneuriat",
        PartnershipType.COMMUNITY: "inclusion",
        PartnershipType.INTERNATIONAL: "coopération internationale",
        PartnershipType.DATA: "veille sur le marché du travail",
    },
    "es": {
        PartnershipType.TRAINING: "formación",
        PartnershipType.MOBILITY: "movilidad",
        PartnershipType.INNOVATION: "innovación",
        PartnershipType.FUNDING: "financiación",
        PartnershipType.INFRASTRUCTURE: "infraestructuras compartidas",
        PartnershipType.HR_TALENT: "captación de talento",
        PartnershipType.QUALITY: "calidad y certificación",
        PartnershipType.ENTREPRENEURSHIP: "emprendimiento",
        PartnershipType.COMMUNITY: "inclusión",
        PartnershipType.INTERNATIONAL: "cooperación internacional",
        PartnershipType.DATA: "análisis del mercado laboral",
    },
    "it": {
        PartnershipType.TRAINING: "formazione",
        PartnershipType.MOBILITY: "mobilità",
        PartnershipType.INNOVATION: "innovazione",
        PartnershipType.FUNDING: "finanziamenti",
        PartnershipType.INFRASTRUCTURE: "infrastrutture condivise",
        PartnershipType.HR_TALENT: "selezione dei talenti",
        PartnershipType.QUALITY: "qualità e certificazione",
        PartnershipType.ENTREPRENEURSHIP: "imprenditorialità",
        PartnershipType.COMMUNITY: "inclusione",
        PartnershipType.INTERNATIONAL: "cooperazione internazionale",
        PartnershipType.DATA: "analisi del mercato del lavoro",
    },
    "nl": {
        PartnershipType.TRAINING: "opleiding",
        PartnershipType.MOBILITY: "mobiliteit",
        PartnershipType.INNOVATION: "innovatie",
        PartnershipType.FUNDING: "financiering",
        PartnershipType.INFRASTRUCTURE: "gedeelde faciliteiten",
        PartnershipType.HR_TALENT: "werving van talent",
        PartnershipType.QUALITY: "kwaliteitszorg",
        PartnershipType.ENTREPRENEURSHIP: "ondernemerschap",
        PartnershipType.COMMUNITY: "inclusie",
        PartnershipType.INTERNATIONAL: "internationale samenwerking",
        PartnershipType.DATA: "arbeidsmarktanalyse",
    },
    "pl": {  # after "w obszarach:", so the nominative reads right
        PartnershipType.TRAINING: "kształcenie",
        PartnershipType.MOBILITY: "mobilność",
        PartnershipType.INNOVATION: "innowacje",
        PartnershipType.FUNDING: "finansowanie",
        PartnershipType.INFRASTRUCTURE: "wspólna infrastruktura",
        PartnershipType.HR_TALENT: "pozyskiwanie talentów",
        PartnershipType.QUALITY: "jakość i certyfikacja",
        PartnershipType.ENTREPRENEURSHIP: "przedsiębiorczość",
        PartnershipType.COMMUNITY: "włączenie społeczne",
        PartnershipType.INTERNATIONAL: "współpraca międzynarodowa",
        PartnershipType.DATA: "analiza rynku pracy",
    },
    "pt": {
        PartnershipType.TRAINING: "formação",
        PartnershipType.MOBILITY: "mobilidade",
        PartnershipType.INNOVATION: "inovação",
        PartnershipType.FUNDING: "financiamento",
        PartnershipType.INFRASTRUCTURE: "infraestruturas partilhadas",
        PartnershipType.HR_TALENT: "recrutamento",
        PartnershipType.QUALITY: "qualidade e certificação",
        PartnershipType.ENTREPRENEURSHIP: "empreendedorismo",
        PartnershipType.COMMUNITY: "inclusão",
        PartnershipType.INTERNATIONAL: "cooperação internacional",
        PartnershipType.DATA: "análise do mercado de trabalho",
    },
}
