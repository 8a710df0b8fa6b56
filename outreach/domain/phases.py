"""The phase model (design.md): which events move a partner, and a staff member's manual move.

Pure functions over plain values. The service layer applies the returned `PhaseMove`
to the logbook and keeps it as history.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.domain.vocabulary import Phase
from outreach.errors import PhaseError


@dataclass(frozen=True)
class PhaseMove:
    """A change of phase with its reason and who or what made it."""

    from_phase: Phase | None
    to_phase: Phase
    reason: str
    by: str


# Automatic events: the phase a partner must be in for the event to move it, and where to.
_EVENT_MOVES: dict[str, tuple[Phase, Phase]] = {
    "first_contact_sent": (Phase.SCOUTING, Phase.FIRST_CONTACT),
    "human_reply": (Phase.FIRST_CONTACT, Phase.PROPOSAL),
    "agreement_signed": (Phase.PROPOSAL, Phase.COLLABORATION_SETUP),
    "check_ins_started": (Phase.COLLABORATION_SETUP, Phase.MAINTENANCE),
}


def move_for_event(current: Phase, event: str, reason: str) -> PhaseMove | None:
    """The move an event causes from `current`, or None when it leaves the phase alone.

    An event that arrives late (a reply from a partner already in collaboration setup) never
    moves a partner backwards.
    """
    try:
        source, target = _EVENT_MOVES[event]
    except KeyError:
        raise PhaseError(f"unknown phase event {event!r}") from None
    if current is not source:
        return None
    return PhaseMove(current, target, reason, by=f"event:{event}")


def manual_move(current: Phase | None, target: Phase, reason: str, by: str) -> PhaseMove:
    """Staff move a partner by hand, forwards or back; a reason is required."""
    if not reason or not reason.strip():
        raise PhaseError('a manual phase move needs a reason: add --reason "..."')
    if current is target:
        raise PhaseError(f"the partner is already in phase {target.value}")
    return PhaseMove(current, target, reason.strip(), by=by)


def initial_move(target: Phase, reason: str, by: str) -> PhaseMove:
    """The first history entry of a partner entering the logbook."""
    return PhaseMove(None, target, reason, by)
