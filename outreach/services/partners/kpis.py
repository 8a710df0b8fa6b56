"""The KPIs of a partnership: set with a target in collaboration setup, updated as figures come
in; the check-in mails list their progress and the MoU carries them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Kpi, Partner
from outreach.errors import InvalidInput, NotFound, Problem


def of(session: Session, partner_id: int) -> list[Kpi]:
    return list(session.scalars(sa.select(Kpi).where(Kpi.partner_id == partner_id).order_by(Kpi.id)))


def of_partners(session: Session, partner_ids) -> dict[int, list[Kpi]]:
    """The KPIs of many partners (a list or a subquery of ids) in one query, each partner's in order."""
    found: dict[int, list[Kpi]] = {}
    for kpi in session.scalars(sa.select(Kpi).where(Kpi.partner_id.in_(partner_ids)).order_by(Kpi.partner_id, Kpi.id)):
        found.setdefault(kpi.partner_id, []).append(kpi)
    return found


def add(
    session: Session, partner: Partner, name: str, target: float, unit: str, due: date | None, by: str, now: datetime
) -> Kpi:
    name, unit = " ".join(name.split()), " ".join(unit.split())
    if not name or not unit or len(name) > 200 or len(unit) > 60:
        raise InvalidInput(
            [Problem("kpi", None, "name/unit", "give a name (up to 200 characters) and a unit (up to 60)")]
        )
    if target <= 0:
        raise InvalidInput([Problem("kpi", None, "target", "the target must be above zero")])
    if session.scalar(sa.select(Kpi.id).where(Kpi.partner_id == partner.id, Kpi.name == name)) is not None:
        raise InvalidInput([Problem("kpi", None, "name", f"{partner.name} has a KPI {name!r} already")])
    kpi = Kpi(partner_id=partner.id, name=name, target=target, unit=unit, due=due, updated_at=now, updated_by=by[:200])
    session.add(kpi)
    session.flush()
    return kpi


def update(session: Session, partner: Partner, name: str, current: float, by: str, now: datetime) -> Kpi:
    kpi = session.scalar(sa.select(Kpi).where(Kpi.partner_id == partner.id, Kpi.name == " ".join(name.split())))
    if kpi is None:
        raise NotFound(f"{partner.name} has no KPI {name!r}; `outreach partners kpi {partner.id}` lists them")
    kpi.current, kpi.updated_at, kpi.updated_by = current, now, by[:200]
    return kpi


def progress(kpi: Kpi) -> int | None:
    """Per cent of the target reached."""
    return None if kpi.current is None else round(100 * kpi.current / kpi.target)


def for_letters(session: Session, partner_id: int, language: str, today: date | None = None) -> list[dict]:
    """The KPIs as a check-in or an MoU writes them, in the letter's language: the target with its
    unit in the form that agrees with it ("4 Auszubildende", "5 praktykantów"; a unit may give its
    forms as "Auszubildender|Auszubildende"), the due date without its year within `today`'s."""
    from outreach.domain.language import number, short_date, unit_forms, units

    return [
        {
            "name": k.name,
            "target": number(k.target, language),
            "target_units": units(k.target, language, k.unit),
            "unit": unit_forms(k.unit, language)["other"],
            "current": number(k.current, language) if k.current is not None else None,
            "due": short_date(k.due, language, today) if k.due else None,
        }
        for k in of(session, partner_id)
    ]
