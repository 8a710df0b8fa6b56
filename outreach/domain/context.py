"""The variables a message template sees, built from plain records."""

from __future__ import annotations

from outreach.campaign.model import CampaignFile
from outreach.domain.records import ContactIn, PartnerIn
from outreach.domain.vocabulary import fields_of_partnership
from outreach.rendering import Fields


def message_language(settings: CampaignFile, contact: ContactIn) -> str:
    return contact.language or settings.message.language


def message_register(settings: CampaignFile, contact: ContactIn) -> str:
    return (contact.register or settings.message.register).value


def message_context(settings: CampaignFile, partner: PartnerIn, contact: ContactIn) -> dict:
    language = message_language(settings, contact)
    institution = settings.institution
    person = institution.contact
    return {
        "language": language,
        "register": message_register(settings, contact),
        "campaign": Fields("campaign", {"name": settings.name}),
        "contact": Fields("contact", {
            "name": contact.name, "first_name": contact.name.split()[0] if contact.name else None,
            "role": contact.role, "email": contact.email,
        }),
        "organisation": Fields("organisation", {
            "name": partner.name, "country": partner.country, "region": partner.region,
            "website": partner.website, "focus_area": partner.focus_area,
        }),
        "partnership_fields": fields_of_partnership(partner.partnership_types, language),
        "institution": Fields("institution", {
            "name": institution.name, "location": institution.region or institution.country,
            "who_we_are": institution.who_we_are, "what_we_offer": institution.what_we_offer,
            "what_we_are_looking_for": institution.what_we_are_looking_for,
            "why_partner_with_us": institution.why_partner_with_us, "address": institution.address,
        }),
        "sender": Fields("sender", {
            "name": person.name, "position": person.position, "email": person.email,
            "phone": person.phone, "website": str(person.website) if person.website else None,
            "linkedin": str(person.linkedin) if person.linkedin else None,
            "contact_line": " | ".join(str(v) for v in (person.email, person.phone, person.website) if v),
        }),
        "one_pager": settings.message.attach_one_pager,
    }
