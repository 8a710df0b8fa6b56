"""Read models: partners as plain dicts for tables and JSON output."""

from __future__ import annotations

from outreach.db.models import Partner


def partner_row(partner: Partner) -> dict:
    return {
        "id": partner.id,
        "name": partner.name,
        "country": partner.country,
        "source": partner.source.value,
        "partnership_types": list(partner.partnership_types),
        "phase": partner.phase.value,
        "status": partner.status.value,
        "contacts": len(partner.contacts),
    }


def partner_detail(partner: Partner) -> dict:
    return {
        **partner_row(partner),
        "website": partner.website,
        "mail_domain": partner.mail_domain,
        "region": partner.region,
        "focus_area": partner.focus_area,
        "notes": partner.notes,
        "tags": list(partner.tags),
        "extra": dict(partner.extra or {}),
        "contacts": [
            {
                "id": c.id,
                "name": c.name,
                "role": c.role,
                "email": c.email,
                "language": c.language,
                "register": c.register.value if c.register else None,
                "timezone": c.timezone,
                "status": c.status.value,
            }
            for c in partner.contacts
        ],
        "timeline": timeline(partner),
    }


def timeline(partner: Partner) -> list[dict]:
    """Interactions and phase changes, oldest first."""
    events = [
        {
            "at": i.occurred_at.isoformat(),
            "event": i.kind.value,
            "direction": i.direction.value,
            "contact": i.contact.email if i.contact else None,
            "subject": i.subject,
            "message_id": i.message_id,
            "text": i.text,
            "history": i.history,
        }
        for i in partner.interactions
    ] + [
        {
            "at": change.at.isoformat(),
            "event": "phase",
            "from": change.from_phase.value if change.from_phase else None,
            "to": change.to_phase.value,
            "reason": change.reason,
            "by": change.by,
        }
        for change in partner.phase_history
    ]
    return sorted(events, key=lambda event: event["at"])
