"""Collaboration setup and maintenance: what a partnership agreed (tools, meeting schedule;
KPIs in `kpis`, deliverables and contact persons from the meeting's outcome), the log of its
results and success stories, new opportunities as to-dos, and the report of partnerships by
phase, time in phase and KPI status."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Interaction, Kpi, Partner, PhaseChange
from outreach.domain.vocabulary import Direction, InteractionKind, Phase, status_text
from outreach.errors import InvalidInput, Problem
from outreach.services.partners import kpis, todos

RESULT = "result"  # the subject a result or success story is logged under
IN_PARTNERSHIP = (Phase.PROPOSAL, Phase.COLLABORATION_SETUP, Phase.MAINTENANCE)


def record(partner: Partner, tools: str | None, schedule: str | None) -> dict:
    kept = dict(partner.partnership or {})
    for key, value in (("tools", tools), ("schedule", schedule)):
        if value is not None:
            kept[key] = " ".join(value.split())[:500]
    partner.partnership = kept
    return kept


def log_result(session: Session, partner: Partner, text: str, by: str, now: datetime, opportunity: bool = False):
    """A result or success story in the partner's timeline; a new opportunity also a to-do."""
    if not text.strip():
        raise InvalidInput([Problem("result", None, "text", "say what was achieved")])
    session.add(
        Interaction(
            partner_id=partner.id,
            direction=Direction.INTERNAL,
            kind=InteractionKind.NOTE,
            occurred_at=now,
            subject=RESULT,
            text=text.strip(),
            author=by[:200],
        )
    )
    if opportunity:
        todos.raise_todo(
            session,
            todos.TodoKind.OPPORTUNITY,
            f"New opportunity with {partner.name}: {text.strip()[:300]}",
            now,
            partner.id,
        )
    session.flush()


def overview(session: Session, now: datetime, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Partnerships (proposal onwards) by name: phase, days in it, KPIs and where they stand,
    results. Four queries, however many partnerships; `limit` and `offset` give a page of them."""
    chosen = sa.select(Partner.id).where(Partner.phase.in_(IN_PARTNERSHIP))
    if limit is not None:
        chosen = chosen.order_by(Partner.name, Partner.id).limit(limit).offset(offset)
    ids = chosen.scalar_subquery()
    partners = session.scalars(sa.select(Partner).where(Partner.id.in_(ids)).order_by(Partner.name, Partner.id)).all()
    entered = dict(
        session.execute(
            sa.select(PhaseChange.partner_id, sa.func.max(PhaseChange.at))
            .where(PhaseChange.partner_id.in_(ids))
            .group_by(PhaseChange.partner_id)
        ).all()
    )
    results = dict(
        session.execute(
            sa.select(Interaction.partner_id, sa.func.count())
            .where(Interaction.partner_id.in_(ids), Interaction.subject == RESULT)
            .group_by(Interaction.partner_id)
        ).all()
    )
    measures = kpis.of_partners(session, ids)
    return [_row(partner, entered.get(partner.id), measures.get(partner.id, []), results, now) for partner in partners]


def count(session: Session) -> int:
    """How many partnerships `overview` lists in all (Reports reads it from its tallies)."""
    return session.scalar(sa.select(sa.func.count()).where(Partner.phase.in_(IN_PARTNERSHIP))) or 0


def _row(partner: Partner, since: datetime | None, measures: list[Kpi], results: dict[int, int], now: datetime) -> dict:
    return {
        "id": partner.id,
        "partner": partner.name,
        "phase": partner.phase.value,
        "status": status_text(partner.status, partner.later_until),
        "days_in_phase": (now - since.replace(tzinfo=now.tzinfo)).days if since else None,
        "kpis": [
            {"name": k.name, "current": k.current, "target": k.target, "unit": k.unit, "progress": kpis.progress(k)}
            for k in measures
        ],
        "kpi_status": _status(measures),
        "results": results.get(partner.id, 0),
        "tools": (partner.partnership or {}).get("tools"),
        "schedule": (partner.partnership or {}).get("schedule"),
    }


def _status(measures: list[Kpi]) -> str:
    if not measures:
        return "no KPIs yet"
    reached = sum(1 for k in measures if k.current is not None and k.current >= k.target)
    unknown = sum(1 for k in measures if k.current is None)
    return f"{reached} of {len(measures)} reached" + (f", {unknown} without figures" if unknown else "")
