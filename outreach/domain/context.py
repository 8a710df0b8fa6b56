"""The variables a message template sees, built from plain records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from outreach.campaign.model import CampaignFile
from outreach.domain import language as lang
from outreach.domain.records import ContactIn, PartnerIn
from outreach.domain.vocabulary import FIELD_WORDS, PartnershipType, Register, Salutation
from outreach.rendering import Fields


def message_language(settings: CampaignFile, contact: ContactIn) -> str:
    return contact.language or settings.message.language


def message_register(settings: CampaignFile, contact: ContactIn) -> str:
    return (contact.register or settings.message.register).value


def profile_language(settings: CampaignFile, language: str) -> str:
    """The language the institution's profile is read in for a message in `language`: its
    own where the campaign gives that text, else the campaign's (never a mix of the two)."""
    own = lang.base(language)
    if own == lang.base(settings.message.language):
        return settings.message.language
    return own if own in settings.institution.translations else settings.message.language


def person_of(contact: ContactIn) -> lang.Person:
    return lang.Person(contact.name, contact.salutation, contact.title, contact.family_name)


def fields_of_partnership(types: Iterable[PartnershipType], language: str) -> str | None:
    """'training, mobility and funding' in the message's language; None when no type is known."""
    written_in = language if lang.base(language) in FIELD_WORDS else "en"
    words = FIELD_WORDS[lang.base(written_in)]
    return lang.and_list([words[t] for t in types], written_in)


def message_context(
    settings: CampaignFile, partner: PartnerIn, contact: ContactIn, written_in: str | None = None
) -> dict[str, Any]:
    """What a template sees. `written_in` is the language of the template that will be used
    (the contact's own, or the fallback): greeting, words and dates follow it, so a message
    never mixes two languages; `language` stays the contact's."""
    language = message_language(settings, contact)
    register = message_register(settings, contact)
    words = written_in or language
    person = person_of(contact)
    return {
        "language": language,
        "register": register,
        "written_in": words,
        "greeting": lang.greeting(words, register == Register.FORMAL.value, person),
        "campaign": Fields("campaign", {"name": settings.name}),
        "contact": Fields(
            "contact",
            {
                "name": contact.name,
                "first_name": person.first_name,
                "family_name": person.surname,
                "salutation": contact.salutation.value if contact.salutation else None,
                "feminine": None if contact.salutation is None else contact.salutation is Salutation.FEMALE,
                "title": contact.title,
                "role": contact.role,
                "email": contact.email,
            },
        ),
        "organisation": Fields(
            "organisation",
            {
                "name": partner.name,
                "country": partner.country,
                "region": partner.region,
                "website": partner.website,
                "focus_area": partner.focus_area,
            },
        ),
        "personal_note": partner.personal_note,
        "partnership_fields": fields_of_partnership(partner.partnership_types, words),
        "institution": institution_fields(settings, words),
        "sender": sender_fields(settings, words),
        "one_pager": settings.message.attach_one_pager,
    }


def institution_fields(settings: CampaignFile, language: str) -> Fields:
    """Who we are, in the language of the message where the campaign gives it."""
    institution = settings.institution
    text = institution.translations.get(lang.base(profile_language(settings, language)))
    source = text or institution
    return Fields(
        "institution",
        {
            "name": (text and text.name) or institution.name,
            "location": (text and text.region) or institution.region or institution.country,
            "who_we_are": source.who_we_are,
            "what_we_offer": source.what_we_offer,
            "what_we_are_looking_for": source.what_we_are_looking_for,
            "why_partner_with_us": source.why_partner_with_us,
            "address": institution.address,
        },
    )


def sender_fields(settings: CampaignFile, language: str | None = None) -> Fields:
    """The sender as the message's language names them: their position from the institution's
    translation into that language where it gives one; their grammatical gender (`feminine`:
    True, False, or None when not said) for the templates that agree with it."""
    person = settings.institution.contact
    text = settings.institution.translations.get(lang.base(profile_language(settings, language))) if language else None
    return Fields(
        "sender",
        {
            "name": person.name,
            "position": (text and text.position) or person.position,
            "feminine": None if person.salutation is None else person.salutation is Salutation.FEMALE,
            "email": person.email,
            "phone": person.phone,
            "website": str(person.website) if person.website else None,
            "linkedin": str(person.linkedin) if person.linkedin else None,
            "contact_line": " | ".join(str(v) for v in (person.email, person.phone, person.website) if v),
        },
    )
