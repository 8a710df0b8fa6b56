"""Campaign files for tests, pointed at the loopback SMTP relay and Dovecot."""

from __future__ import annotations

from pathlib import Path

import yaml

PASSWORD_ENV = "OUTREACH_TEST_MAIL_PASSWORD"


def campaign_settings(
    name: str, smtp_port: int, imap_port: int, partners: list[dict], sender: str = "vet@school.test", **overrides
) -> dict:
    settings = {
        "name": name,
        "institution": {
            "name": "Riverside Vocational College",
            "region": "Hamburg",
            "country": "DE",
            "who_we_are": "A public VET provider with 2,400 learners.",
            "what_we_offer": ["Dual education programmes"],
            "what_we_are_looking_for": ["Host companies for apprentices"],
            "why_partner_with_us": ["Experienced team"],
            "contact": {"name": "Jana Weber", "position": "Partnership Officer", "email": sender},
        },
        "mailbox": {
            "address": sender,
            "display_name": "Jana Weber, Riverside Vocational College",
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none"},
            "imap": {"host": "127.0.0.1", "port": imap_port, "security": "none"},
            "auth": {"username": sender, "password_env": PASSWORD_ENV},
        },
        "partners": partners,
        "sending": {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start": "00:00",
            "end": "23:59",
            "timezone": "UTC",
            "max_per_hour": 10_000,
            "max_per_day": 100_000,
            "seconds_between_messages": 0,
        },
    }
    for key, value in overrides.items():
        section, _, field = key.partition("__")
        if field:
            settings[section] = {**settings.get(section, {}), field: value}
        else:
            settings[key] = value
    return settings


def write_campaign(folder: Path, settings: dict) -> Path:
    path = folder / f"{settings['name']}.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# The institution's profile as each language's readers would get it (campaign language: en).
PROFILES = {
    "de": {
        "region": "Hamburg",
        "who_we_are": "Ein öffentlicher Anbieter beruflicher Bildung mit 2.400 Lernenden.",
        "what_we_offer": ["Duale Ausbildungsgänge"],
        "what_we_are_looking_for": ["Ausbildungsbetriebe"],
        "why_partner_with_us": ["Erfahrenes Team"],
    },
    "fr": {
        "region": "Hambourg",
        "who_we_are": "Un établissement public de formation professionnelle de 2 400 apprenants.",
        "what_we_offer": ["Formations en alternance"],
        "what_we_are_looking_for": ["Entreprises d'accueil"],
        "why_partner_with_us": ["Une équipe expérimentée"],
    },
    "es": {
        "region": "Hamburgo",
        "who_we_are": "Un centro público de formación profesional con 2.400 alumnos.",
        "what_we_offer": ["Formación profesional dual"],
        "what_we_are_looking_for": ["Empresas de acogida"],
        "why_partner_with_us": ["Un equipo con experiencia"],
    },
    "it": {
        "region": "Amburgo",
        "who_we_are": "Un istituto pubblico di formazione professionale con 2.400 studenti.",
        "what_we_offer": ["Percorsi duali"],
        "what_we_are_looking_for": ["Aziende ospitanti"],
        "why_partner_with_us": ["Un gruppo esperto"],
    },
    "nl": {
        "region": "Hamburg",
        "who_we_are": "Een openbare mbo-instelling met 2.400 studenten.",
        "what_we_offer": ["Duale opleidingen"],
        "what_we_are_looking_for": ["Leerbedrijven"],
        "why_partner_with_us": ["Een ervaren team"],
    },
    "pl": {
        "region": "Hamburg",
        "who_we_are": "Publiczna placówka kształcenia zawodowego z 2400 uczniami.",
        "what_we_offer": ["Kształcenie dualne"],
        "what_we_are_looking_for": ["Firmy przyjmujące uczniów"],
        "why_partner_with_us": ["Doświadczony zespół"],
    },
    "pt": {
        "region": "Hamburgo",
        "who_we_are": "Uma escola pública de ensino profissional com 2400 alunos.",
        "what_we_offer": ["Formação dual"],
        "what_we_are_looking_for": ["Empresas de acolhimento"],
        "why_partner_with_us": ["Uma equipa experiente"],
    },
}


def with_profiles(settings: dict, languages=tuple(PROFILES)) -> dict:
    """The campaign with the institution's profile in the given languages too."""
    settings["institution"] = {
        **settings["institution"],
        "translations": {language: PROFILES[language] for language in languages},
    }
    return settings


def register_mailbox(session, settings: dict, **more):
    """The campaign's own mailbox section, registered by the administrator (as `outreach
    mailboxes add --from-campaign` does); `named(settings)` then names it by address."""
    from outreach.campaign.model import Mailbox
    from outreach.db.types import utcnow
    from outreach.services.accounts import mailboxes

    return mailboxes.add(session, Mailbox.model_validate(settings["mailbox"]), utcnow(), **more)


def named(settings: dict) -> dict:
    """The campaign with its mailbox named by address alone, as a workspace upload must."""
    return {**settings, "mailbox": settings["mailbox"]["address"]}
