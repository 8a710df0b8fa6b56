"""What an inbound message can be: a small family of typed results, one class per kind.

Each carries only what its kind has (a bounce its reason and recipient, an out-of-office
answer its return date), so the effects are keyed to the class and no field is optional
for kinds that never have it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class InboundKind(StrEnum):
    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    DELAYED = "delayed"
    COMPLAINT = "complaint"
    OPT_OUT = "opt_out"
    CALENDAR_REPLY = "calendar_reply"
    RECEIPT = "receipt"
    OTHER = "other"


class BounceReason(StrEnum):
    """Why a message came back. Only the address-level reasons make a contact unreachable."""

    USER_UNKNOWN = "user_unknown"
    DOMAIN_UNKNOWN = "domain_unknown"
    MAILBOX_DISABLED = "mailbox_disabled"
    MAILBOX_FULL = "mailbox_full"
    MESSAGE_TOO_LARGE = "message_too_large"
    SPAM_OR_CONTENT = "spam_or_content"
    POLICY_OR_BLOCKED = "policy_or_blocked"
    RATE_LIMITED = "rate_limited"
    DELAYED = "delayed"
    OTHER = "other"

    @property
    def address_gone(self) -> bool:
        return self in ADDRESS_GONE

    @property
    def refused(self) -> bool:
        """Our mail was refused, not the address: staff should look at what we sent."""
        return self in REFUSED

    @property
    def permanent(self) -> bool:
        return self in ADDRESS_GONE or self is BounceReason.MESSAGE_TOO_LARGE


ADDRESS_GONE = frozenset({BounceReason.USER_UNKNOWN, BounceReason.DOMAIN_UNKNOWN, BounceReason.MAILBOX_DISABLED})
REFUSED = frozenset({BounceReason.SPAM_OR_CONTENT, BounceReason.POLICY_OR_BLOCKED, BounceReason.MESSAGE_TOO_LARGE})


class _Result:
    """What every result can do: say itself as JSON (`outreach inbound classify --json`)."""

    kind: InboundKind

    def as_json(self) -> dict[str, Any]:
        return as_json(self)


@dataclass(frozen=True)
class Reply(_Result):
    kind = InboundKind.REPLY


@dataclass(frozen=True)
class AutoReply(_Result):
    return_date: date | None = None
    kind = InboundKind.AUTO_REPLY


@dataclass(frozen=True)
class Report(_Result):
    """Something a mail system sent back about a message of ours: which one, to whom."""

    recipient: str | None = None
    returned_ids: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Bounce(Report):
    reason: BounceReason = BounceReason.OTHER
    status: str | None = None
    diagnostic: str | None = None
    kind = InboundKind.BOUNCE

    @property
    def permanent(self) -> bool:
        return self.reason.permanent


@dataclass(frozen=True)
class Delayed(Report):
    status: str | None = None
    kind = InboundKind.DELAYED


@dataclass(frozen=True)
class Complaint(Report):
    kind = InboundKind.COMPLAINT


@dataclass(frozen=True)
class OptOut(_Result):
    kind = InboundKind.OPT_OUT


@dataclass(frozen=True)
class CalendarReply(_Result):
    method: str = "REPLY"
    kind = InboundKind.CALENDAR_REPLY


@dataclass(frozen=True)
class Receipt(_Result):
    """A read receipt (disposition notification): logged, no effect."""

    kind = InboundKind.RECEIPT


@dataclass(frozen=True)
class Other(_Result):
    """Not a personal answer. `why` names what it is; `for_staff` when a person should look
    (a challenge-response "please verify you are human" mail)."""

    why: str = "not a personal answer"
    for_staff: bool = False
    kind = InboundKind.OTHER


Classification = Reply | AutoReply | Bounce | Delayed | Complaint | OptOut | CalendarReply | Receipt | Other


def as_json(result: _Result) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": result.kind.value}
    if isinstance(result, Bounce):
        data.update(
            recipient=result.recipient,
            reason=result.reason.value,
            permanent=result.permanent,
            status=result.status,
            diagnostic=result.diagnostic,
        )
    elif isinstance(result, (Delayed, Complaint)):
        data["recipient"] = result.recipient
        if isinstance(result, Delayed):
            data["status"] = result.status
    elif isinstance(result, AutoReply):
        data["return_date"] = result.return_date.isoformat() if result.return_date else None
    elif isinstance(result, CalendarReply):
        data["method"] = result.method
    elif isinstance(result, Other):
        data["why"] = result.why
    return data


def reason_name(reason: BounceReason) -> str:
    """A reason as staff read it: "mailbox full"."""
    return reason.value.replace("_", " ")
