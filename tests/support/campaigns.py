"""Campaign files for tests, pointed at the loopback SMTP relay and Dovecot."""

from __future__ import annotations

from pathlib import Path

import yaml

PASSWORD_ENV = "OUTREACH_TEST_MAIL_PASSWORD"


def campaign_settings(name: str, smtp_port: int, imap_port: int, partners: list[dict],
                      sender: str = "vet@school.test", **overrides) -> dict:
    settings = {
        "name": name,
        "institution": {
            "name": "Riverside Vocational College", "region": "Hamburg", "country": "DE",
            "who_we_are": "A public VET provider with 2,400 learners.",
            "what_we_offer": ["Dual education programmes"],
            "what_we_are_looking_for": ["Host companies for apprentices"],
            "why_partner_with_us": ["Experienced team"],
            "contact": {"name": "Jana Weber", "position": "Partnership Officer", "email": sender},
        },
        "mailbox": {
            "address": sender, "display_name": "Jana Weber, Riverside Vocational College",
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none"},
            "imap": {"host": "127.0.0.1", "port": imap_port, "security": "none"},
            "auth": {"username": sender, "password_env": PASSWORD_ENV},
        },
        "partners": partners,
        "sending": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00",
                    "end": "23:59", "timezone": "UTC", "max_per_hour": 10_000, "max_per_day": 100_000,
                    "seconds_between_messages": 0},
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
