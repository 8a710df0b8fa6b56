"""What `outreach demo` shows: the logbook as it grows, and the pipeline at the end. Reads
the logbook only; the demo's partners and servers are elsewhere."""

from __future__ import annotations

import time

import sqlalchemy as sa
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from outreach.db.models import Contact, Interaction, Meeting, Partner, PhaseChange, Step
from outreach.domain.vocabulary import Direction, InteractionKind, StepStatus, status_text

OUTCOMES = {
    InteractionKind.EMAIL: "replied",
    InteractionKind.BOUNCE: "bounced",
    InteractionKind.AUTO_REPLY: "out of office",
    InteractionKind.OPT_OUT: "opted out",
}
EXPECTED = ["replied", "bounced", "out of office", "opted out", "accepted", "declined"]


def outcome_of(item: Interaction) -> str:
    """The answer in a word or two: replied, bounced, accepted, declined..."""
    if item.kind is InteractionKind.MEETING:
        return (item.text or "meeting").split(" meeting")[0]
    return OUTCOMES.get(item.kind, item.kind.value)


def _who(item: Interaction) -> str:
    if item.contact is not None:
        return item.contact.name or item.contact.email
    return item.partner.name


class Narrator:
    """Prints every message out and in, and every phase change, as the logbook records them."""

    def __init__(self, uow, console: Console):
        self.uow, self.console = uow, console
        self.last_interaction = self.last_change = 0
        self.seen: set[str] = set()

    def follow(self, settled, timeout: float) -> bool:
        """Print news until `settled()` holds in a quiet moment; False on timeout."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            time.sleep(0.3)
            quiet = 0 if self.catch_up() else quiet + 1
            if quiet >= 4 and settled():
                return True
        return False

    def catch_up(self) -> int:
        with self.uow() as uow:
            session = uow.session
            interactions = session.scalars(
                sa.select(Interaction).where(Interaction.id > self.last_interaction).order_by(Interaction.id)
            ).all()
            changes = session.scalars(
                sa.select(PhaseChange)
                .where(PhaseChange.id > self.last_change, PhaseChange.from_phase.is_not(None))
                .order_by(PhaseChange.id)
            ).all()
            for item in interactions:
                self.last_interaction = item.id
                self._line(self._interaction(item))
            for change in changes:
                self.last_change = change.id
                self._line(
                    f"    [cyan]{escape(change.partner.name)}: {change.from_phase.value} -> {change.to_phase.value}[/]"
                )
        return len(interactions) + len(changes)

    def _line(self, text: str) -> None:
        self.console.print(text, no_wrap=True, overflow="ellipsis", highlight=False)

    def _interaction(self, item: Interaction) -> str:
        if item.direction is Direction.OUT:
            return f"  [green]sent[/]     {escape(_who(item))}: {escape(item.subject or '')}"
        outcome = outcome_of(item)
        self.seen.add(outcome)
        text = (item.text or "").replace("\n", " ")
        return f"  [yellow]{escape(outcome):<13}[/] {escape(_who(item))}: [dim]{escape(text)}[/]"

    def missing(self) -> list[str]:
        return [outcome for outcome in EXPECTED if outcome not in self.seen]


def pipeline_table(session) -> Table:
    table = Table("partner / contact", "what happened", "phase", "follow-ups", title="The pipeline")
    for partner in session.scalars(sa.select(Partner).order_by(Partner.id)):
        for contact in partner.contacts:
            phase = partner.phase.value + (
                ""
                if partner.status.value == "active"
                else f" ({status_text(partner.status, partner.later_until).lower()})"
            )
            table.add_row(
                f"{escape(partner.name)}\n[dim]{escape(contact.name or contact.email)}[/]",
                escape(_what_happened(session, contact)),
                phase,
                escape(_follow_ups(session, contact)),
            )
    return table


def _what_happened(session, contact: Contact) -> str:
    answers = session.scalars(
        sa.select(Interaction)
        .where(Interaction.contact_id == contact.id, Interaction.direction == Direction.IN)
        .order_by(Interaction.id)
    ).all()
    said = list(dict.fromkeys(outcome_of(a) for a in answers))
    meeting = session.scalar(
        sa.select(Meeting)
        .join(Meeting.attendees)
        .where(Meeting.attendees.any(contact_id=contact.id))
        .order_by(Meeting.id.desc())
    )
    if meeting is not None and not any(word in said for word in ("accepted", "declined")):
        said.append(f"invited {meeting.start_at:%d %b %H:%M} UTC")
    return ", ".join(said) or "no answer"


def _follow_ups(session, contact: Contact) -> str:
    steps = session.scalars(
        sa.select(Step).where(Step.contact_id == contact.id, Step.name.like("follow-up%")).order_by(Step.id)
    ).all()
    parts = []
    for step in steps:
        if step.status is StepStatus.CANCELLED:
            parts.append(f"stopped: {step.last_error}")
        elif step.status is StepStatus.SCHEDULED:
            parts.append(f"{step.name} due {step.due_at:%d %b}")
        else:
            parts.append(f"{step.name} {step.status.value}")
    return "\n".join(parts) or "-"


def funnel_line(rows: list[dict]) -> str:
    """The campaign's whole funnel on one line (`outreach report` has it per phase)."""
    total = next((row for row in rows if row["phase"] == "all"), None)
    if total is None:
        return "The funnel: nothing sent"
    return (
        f"[bold]The funnel[/] (outreach report): {total['sent']} sent, {total['reached']} partners reached, "
        f"{total['replied']} replied "
        f"({total['reply_rate']:.0%}), {total['bounced']} bounced, {total['out_of_office']} out of office, "
        f"{total['opted_out']} opted out, {total['meetings_invited']} meetings invited, "
        f"{total['meetings_accepted']} accepted"
    )
