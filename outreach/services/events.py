"""What a service asks of the world after its commit: each effect returns events, and one
dispatcher (worker/dispatch.py) handles them. A new kind of inbound mail or a new effect
touches one place, and the actors stay a few lines long."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TellStaff:
    """A mail to the campaign's `notify_staff` address, with the partner's message attached."""

    campaign_id: int
    to: str
    subject: str
    text: str
    raw_path: str | None = None


@dataclass(frozen=True)
class SendMeeting:
    meeting_id: int


@dataclass(frozen=True)
class ShowAnswers:
    """The meeting put again in staff's own calendar (CalDAV) with each attendee's answer as
    recorded: the same UID and SEQUENCE (an answer is no new version of the meeting)."""

    meeting_id: int


@dataclass(frozen=True)
class FileProcessed:
    """Move a processed message to the campaign's `imap.processed_folder`, where it names one."""

    campaign_id: int
    folder: str
    uidvalidity: int
    uid: int


Event = TellStaff | SendMeeting | ShowAnswers | FileProcessed
