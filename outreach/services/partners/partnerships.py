"""Collaboration setup and maintenance: what a partnership agreed (tools, meeting schedule;
KPIs in `kpis`, deliverables and contact persons from the meeting's outcome), the log of its
results and success stories, new opportunities as to-dos, and the report of partnerships by
phase, time in phase and KPI status."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Interaction, Partner, PhaseChange
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


def overview(session: Session, now: datetime) -> list[dict]:
    """Partnerships (proposal onwards): phase, days in it, KPIs and where they stand, results."""
    partners = session.scalars(sa.select(Partner).where(Partner.phase.in_(IN_PARTNERSHIP)).order_by(Partner.name)).all()
    entered = dict(
        session.execute(
            sa.select(PhaseChange.partner_id, sa.func.max(PhaseChange.at)).group_by(PhaseChange.partner_id)
        ).all()
    )
    results = dict(
        session.execute(
            sa.select(Interaction.partner_id, sa.func.count())
            .where(Interaction.subject == RESULT)
            .group_by(Interaction.partner_id)
        ).all()
    )
    rows = []
    for partner in partners:
        since = entered.get(partner.id)
        measures = kpis.of(session, partner.id)
        rows.append(
            {
                "id": partner.id,
                "partner": partner.name,
                "phase": partner.phase.value,
                "status": status_text(partner.status, partner.later_until),
                "days_in_phase": (now - since.replace(tzinfo=now.tzinfo)).days if since else None,
                "kpis": [
                    {
                        "name": k.name,
                        "current": k.current,
                        "target": k.target,
                        "unit": k.unit,
                        "progress": kpis.progress(k),
                    }
                    for k in measures
                ],
                "kpi_status": _status(measures),
                "results": results.get(partner.id, 0),
                "tools": (partner.partnership or {}).get("tools"),
                "schedule": (partner.partnership or {}).get("schedule"),
            }
        )
    return rows


def _status(measures) -> str:
    if not measures:
        return "no KPIs yet"
    reached = sum(1 for k in measures if k.current is not None and k.current >= k.target)
    unknown = sum(1 for k in measures if k.current is None)
    return f"{reached} of {len(measures)} reached" + (f", {unknown} without figures" if unknown else "")
