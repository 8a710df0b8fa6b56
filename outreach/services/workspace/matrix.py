"""The guide's stakeholder matrix: partners placed by interest (across) and influence (up),
in four quadrants (manage closely, keep satisfied, keep informed, monitor), drawn with
matplotlib as SVG or PNG."""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from outreach.db.models import Partner

QUADRANTS = (
    ("Keep satisfied", 1.1, 5.4),
    ("Manage closely", 3.2, 5.4),
    ("Monitor", 1.1, 0.75),
    ("Keep informed", 3.2, 0.75),
)


@dataclass(frozen=True)
class Placed:
    name: str
    influence: int
    interest: int
    key: int


def placed(session: Session) -> tuple[list[Placed], int]:
    """The partners with both levels, and how many lack one."""
    rows = session.execute(sa.select(Partner.id, Partner.name, Partner.influence, Partner.interest)).all()
    on = [Placed(r.name, r.influence, r.interest, r.id) for r in rows if r.influence and r.interest]
    return on, len(rows) - len(on)


def draw(partners: list[Placed], kind: str = "svg") -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: searchable, read aloud, selectable
    figure, axes = pyplot.subplots(figsize=(8, 6.5), dpi=110)
    try:
        axes.set_xlim(0.5, 6.0)  # room for the names of the most interested
        axes.set_ylim(0.5, 5.7)
        axes.axvline(3, color="#8c959f", linewidth=1)
        axes.axhline(3, color="#8c959f", linewidth=1)
        for label, x, y in QUADRANTS:
            axes.text(x, y, label, fontsize=11, fontweight="bold", color="#4d5560", va="center")
        for partner in partners:
            dx, dy = _spread(partner.key)  # partners on the same levels stay readable
            x, y = partner.interest + dx, partner.influence + dy
            axes.plot(x, y, "o", color="#0a5fc2", markersize=7)
            axes.annotate(partner.name[:40], (x, y), xytext=(6, 4), textcoords="offset points", fontsize=8)
        axes.set_xlabel("Interest (1 low, 5 high)")
        axes.set_ylabel("Influence (1 low, 5 high)")
        axes.set_title("Stakeholder matrix")
        axes.set_xticks(range(1, 6))
        axes.set_yticks(range(1, 6))
        out = io.BytesIO()
        figure.savefig(out, format=kind, bbox_inches="tight")
        return out.getvalue()
    finally:
        pyplot.close(figure)


def _spread(key: int) -> tuple[float, float]:
    h = zlib.crc32(str(key).encode())
    return ((h % 41) - 20) / 60, (((h >> 8) % 41) - 20) / 60
