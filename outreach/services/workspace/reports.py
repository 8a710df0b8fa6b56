"""The Reports page and the manager's download: the funnel per campaign, replies and meetings
per week, partners by partnership type and country (charts drawn as plain SVG on the server),
and the partner list with readable headings as XLSX or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from outreach.adapters.tabular import neutralised
from outreach.db.models import Contact, Interaction, Meeting, Partner, RepliesOnDay, Step
from outreach.domain.steps import PENDING
from outreach.domain.vocabulary import Direction, PartnershipType, PartnerStatus, Phase, status_text
from outreach.services.workspace import funnel as report

WEEKS = 12


PARTNERSHIPS_PER_PAGE = 100


@dataclass
class Overview:
    funnels: list[tuple[str, str]]  # (campaign, SVG)
    weekly: str  # SVG: replies and meetings per week
    by_type: list[tuple[str, int]]
    by_country: list[tuple[str, int]]
    by_phase: list[tuple[str, int]]
    partnerships: list[dict]  # one page of them, by name
    by_status: Sequence[tuple[str, int]] = ()
    partnerships_count: int = 0  # all of them
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.partnerships_count // PARTNERSHIPS_PER_PAGE))


def overview(session: Session, now: datetime, page: int = 1) -> Overview:
    """The whole page from a fixed number of grouped queries, whatever the number of partners:
    the funnels, the weekly chart, the tallies and one page of the partnerships."""
    from outreach.services.partners import partnerships

    tallies = Tallies.of(session)
    page = max(1, page)
    return Overview(
        funnels=funnel_charts(session),
        weekly=weekly_chart(session, now),
        by_type=tallies.by_type(),
        by_country=tallies.by_country(),
        by_phase=tallies.by_phase(),
        partnerships=partnerships.overview(
            session, now, limit=PARTNERSHIPS_PER_PAGE, offset=(page - 1) * PARTNERSHIPS_PER_PAGE
        ),
        by_status=tallies.by_status(),
        partnerships_count=tallies.in_phases(partnerships.IN_PARTNERSHIP),
        page=page,
    )


def funnel_charts(session: Session) -> list[tuple[str, str]]:
    """Each campaign's funnel over all its partners, as bars."""
    charts = []
    for row in report.funnel(session, by_phase=False):
        if row["phase"] == "all":
            steps = [
                ("sent", row["sent"]),
                ("partners reached", row["reached"]),
                ("replied", row["replied"]),
                ("meetings invited", row["meetings_invited"]),
                ("meetings accepted", row["meetings_accepted"]),
            ]
            charts.append((row["campaign"], bars(steps, f"The funnel of {row['campaign']}")))
    return charts


@dataclass(frozen=True)
class Tallies:
    """Partners counted by phase, status, country and partnership types: one grouped scan."""

    rows: list[tuple]  # (phase, status, country, partnership types as JSON text, partners)

    @classmethod
    def of(cls, session: Session) -> Tallies:
        types = sa.cast(Partner.partnership_types, sa.Text)  # few distinct lists; JSON has no equality in PostgreSQL
        keys = (Partner.phase, Partner.status, Partner.country, types)
        return cls([tuple(row) for row in session.execute(sa.select(*keys, sa.func.count()).group_by(*keys))])

    def _counted(self, index: int) -> dict:
        counts: dict = {}
        for row in self.rows:
            counts[row[index]] = counts.get(row[index], 0) + row[4]
        return counts

    def in_phases(self, phases: Sequence[Phase]) -> int:
        """How many partners are in these phases (the partnerships: proposal onwards)."""
        counts = self._counted(0)
        return sum(counts.get(phase, 0) for phase in phases)

    def by_phase(self) -> list[tuple[str, int]]:
        counts = self._counted(0)
        return [(phase.label, counts.get(phase, 0)) for phase in Phase]

    def by_status(self) -> list[tuple[str, int]]:
        """Partners by status, apart from the phase: active, later, declined, opted out, unreachable."""
        counts = self._counted(1)
        return [(status.label, counts.get(status, 0)) for status in PartnerStatus]

    def by_country(self) -> list[tuple[str, int]]:
        counts = self._counted(2)
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0] or ""))
        return [(country or "unknown", n) for country, n in ordered]

    def by_type(self) -> list[tuple[str, int]]:
        counts = dict.fromkeys(PartnershipType, 0)
        for listed, n in self._counted(3).items():
            for value in json.loads(listed) if listed else []:
                counts[PartnershipType(value)] += n  # type: ignore[call-arg]  # a lookup by value
        return [(t.label[0].upper() + t.label[1:], n) for t, n in counts.items() if n]


def by_status(session: Session) -> list[tuple[str, int]]:
    return Tallies.of(session).by_status()


def weekly_chart(session: Session, now: datetime) -> str:
    """Replies and meetings in each of the last twelve weeks, from midnight (UTC) twelve weeks ago."""
    start = (now.astimezone(UTC) - timedelta(weeks=WEEKS)).replace(hour=0, minute=0, second=0, microsecond=0)
    series = {"replies": _replies_per_week(session, start), "meetings": _per_week(session, Meeting.created_at, start)}
    labels = [(start + timedelta(weeks=i)).strftime("%d %b") for i in range(WEEKS)]
    return columns(labels, series, "Replies and meetings per week")


def _replies_per_week(session: Session, start: datetime) -> list[int]:
    """The replies per day the logbook keeps (db/outcomes.py), added up by week; the last week
    takes all later days."""
    weeks = [0] * WEEKS
    days = session.execute(sa.select(RepliesOnDay.day, RepliesOnDay.replies).where(RepliesOnDay.day >= start.date()))
    for day, replies in days:
        weeks[min((day - start.date()).days // 7, WEEKS - 1)] += replies
    return weeks


def _per_week(session: Session, moment: Any, start: datetime) -> list[int]:
    """Counts per week from `start` in one query: how many fell before each week's end (the
    last week takes all later ones), then the differences."""
    ends = [start + timedelta(weeks=i + 1) for i in range(WEEKS - 1)]
    before = [sa.func.count(sa.case((moment < end, 1))) for end in ends] + [sa.func.count()]
    cumulative = list(session.execute(sa.select(*before).where(moment >= start)).one())
    return [n - (cumulative[i - 1] if i else 0) for i, n in enumerate(cumulative)]


# --- SVG -----------------------------------------------------------------------------------


def bars(items: list[tuple[str, int]], title: str) -> str:
    """Horizontal bars with their numbers: readable on a phone, printed or read aloud."""
    high = max([n for _, n in items] + [1])
    height = 28 * len(items) + 10
    rows = []
    for i, (label, n) in enumerate(items):
        y = 8 + i * 28
        width = 0 if not n else max(2, round(220 * n / high))
        rows.append(
            f'<text x="0" y="{y + 15}" class="label">{escape(label)}</text>'
            f'<rect x="140" y="{y}" width="{width}" height="20" class="bar"/>'
            f'<text x="{146 + width}" y="{y + 15}" class="value">{n}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 {height}" role="img" '
        f'aria-label="{escape(title)}: ' + ", ".join(f"{escape(label)} {n}" for label, n in items) + '">'
        f"<title>{escape(title)}</title>" + "".join(rows) + "</svg>"
    )


def columns(labels: list[str], series: dict[str, list[int]], title: str) -> str:
    high = max([n for values in series.values() for n in values] + [1])
    width, height, slot = 560, 200, 560 // len(labels)
    parts = []
    for i, label in enumerate(labels):
        x = i * slot
        for j, (name, values) in enumerate(series.items()):
            h = round(150 * values[i] / high)
            parts.append(
                f'<rect x="{x + 6 + j * (slot // 2 - 4)}" y="{170 - h}" width="{slot // 2 - 8}" height="{h}" '
                f'class="bar series-{j}"><title>{escape(name)}, week of {escape(label)}: {values[i]}</title></rect>'
            )
        parts.append(f'<text x="{x + slot // 2}" y="188" class="axis" text-anchor="middle">{escape(label)}</text>')
    described = "; ".join(f"{name}: " + ", ".join(str(v) for v in values) for name, values in series.items())
    legend = "".join(
        f'<rect x="{10 + j * 110}" y="0" width="12" height="12" class="bar series-{j}"/>'
        f'<text x="{26 + j * 110}" y="11" class="label">{escape(name)}</text>'
        for j, name in enumerate(series)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}, oldest week first. {escape(described)}"><title>{escape(title)}</title>'
        + legend
        + "".join(parts)
        + "</svg>"
    )


# --- the manager's download ----------------------------------------------------------------

HEADINGS = (
    "Organisation",
    "Country",
    "Contact",
    "Email",
    "Phase",
    "Status",
    "Last contact",
    "Meeting date",
    "Next action",
    "Next action date",
)
WIDTHS = (34, 9, 26, 32, 22, 12, 14, 14, 28, 16)


def manager_rows(session: Session) -> list[list]:
    last = dict(
        session.execute(
            sa.select(Interaction.partner_id, sa.func.max(Interaction.occurred_at))
            .where(Interaction.direction != Direction.INTERNAL)
            .group_by(Interaction.partner_id)
        ).all()
    )
    meeting = dict(
        session.execute(
            sa.select(Meeting.partner_id, sa.func.max(Meeting.start_at))
            .where(Meeting.status == "invited")
            .group_by(Meeting.partner_id)
        ).all()
    )
    following = {}
    for partner_id, name, due in session.execute(
        sa.select(Step.partner_id, Step.name, Step.due_at).where(Step.status.in_(PENDING)).order_by(Step.due_at.desc())
    ):
        following[partner_id] = (name, due)
    first = {}
    for partner_id, contact_name, email in session.execute(
        sa.select(Contact.partner_id, Contact.name, Contact.email).order_by(Contact.id.desc())
    ):
        first[partner_id] = (contact_name, email)
    rows = []
    for p in session.scalars(sa.select(Partner).order_by(Partner.name)):
        contact = first.get(p.id, (None, None))
        nxt = following.get(p.id, (None, None))
        rows.append(
            [
                p.name,
                p.country or "",
                contact[0] or "",
                contact[1] or "",
                p.phase.label,
                status_text(p.status, p.later_until),
                _day(last.get(p.id)),
                _day(meeting.get(p.id)),
                (nxt[0] or "").replace("-", " "),
                _day(nxt[1]),
            ]
        )
    return rows


def _day(moment) -> str:
    return moment.strftime("%Y-%m-%d") if moment else ""


def as_xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Partners"
    sheet.append(HEADINGS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.data_type = "s"  # text, never a formula, whatever a partner's name starts with
    for i, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.auto_filter.ref = f"A1:{chr(ord('A') + len(HEADINGS) - 1)}{len(rows) + 1}"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    writer.writerows([[neutralised(v) for v in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
