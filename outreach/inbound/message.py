"""One normalised inbound message, built on `email.message.EmailMessage` with policy=default.

Parsing never raises: a malformed header reads as its raw text or as empty, a broken body
as what could be decoded. The raw bytes are kept as they came.

Bounded work: what is inspected is capped, so a hostile message costs time and memory in
proportion to the caps, not to its size. A header field over `HEADER_FIELD_CAP` is cut
before parsing, at most `HEADER_FIELDS_CAP` fields are kept, at most `PART_CAP` parts are
walked, and at most `TEXT_CAP` characters of a text part are read.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

from outreach.inbound.html import html_to_text
from outreach.mail.policy import READING

HEADER_FIELD_CAP = 16 * 1024
MIME_FIELD_CAP = 2 * 1024  # Content-Type and the like: parsed again at each look
MIME_DEPTH_CAP = 64
HEADER_FIELDS_CAP = 500
HEADER_SECTION_CAP = 256 * 1024
PART_CAP = 200
TEXT_CAP = 64 * 1024

# Local part and domain labels bounded, so a long run without `@` costs linear time.
ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


# The header fields the watcher fetches first, to decide whether a message is ours.
HEADER_FIELDS = (
    "From",
    "Sender",
    "To",
    "Cc",
    "Delivered-To",
    "X-Original-To",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Content-Type",
    "X-Failed-Recipients",
    "Auto-Submitted",
)


@dataclass(frozen=True)
class Fetched:
    """One message as the watcher got it: its UID, raw bytes and the server's INTERNALDATE."""

    uid: int
    raw: bytes
    arrived: datetime | None = None


class HeaderReading:
    """What the header fields say: senders, subject, thread ids. A subclass gives `header`."""

    def header(self, name: str) -> str:
        raise NotImplementedError

    def addresses(self, name: str) -> list[str]:
        cache: dict[str, list[str]] = self.__dict__.setdefault("_addresses", {})
        if name not in cache:
            cache[name] = self._addresses_in(self.header(name)[:HEADER_FIELD_CAP])
        return cache[name]

    @staticmethod
    def _addresses_in(value: str) -> list[str]:
        if "@" not in value:
            return []
        try:
            found = [addr.lower() for _, addr in getaddresses([value]) if "@" in addr]
        except Exception:
            found = []
        return found or [a.lower() for a in ADDRESS.findall(value)]

    @property
    def sender(self) -> str | None:
        addresses = self.addresses("From")
        return addresses[0] if addresses else None

    @property
    def senders(self) -> list[str]:
        """From and Sender: who may have written it (a delegate answers for a principal)."""
        return list(dict.fromkeys(self.addresses("From") + self.addresses("Sender")))

    @property
    def local_part(self) -> str:
        """The sender's local part, also for a bare `MAILER-DAEMON` without a domain."""
        try:
            pairs = getaddresses([self.header("From")[:HEADER_FIELD_CAP]])
        except Exception:
            pairs = []
        value = next((address for _, address in pairs if address), "") or self.header("From")
        return value.strip().strip('"<> ').split("@", 1)[0].lower()[:64]

    @property
    def subject(self) -> str:
        return " ".join(self.header("Subject").split())

    @property
    def message_id(self) -> str | None:
        ids = message_ids(self.header("Message-ID"))
        return ids[0] if ids else None

    @property
    def thread_ids(self) -> list[str]:
        """In-Reply-To first, then References, newest first: the messages this one answers."""
        references = message_ids(self.header("References"))
        return list(dict.fromkeys(message_ids(self.header("In-Reply-To")) + references[::-1]))


class HeaderFields(HeaderReading):
    """Only the header fields, read fast (no header objects): enough for the watcher to decide
    whether a message is ours before its body is downloaded."""

    def __init__(self, raw: bytes):
        try:
            self.fields = BytesHeaderParser(policy=compat32).parsebytes(bounded(raw), headersonly=True)
        except Exception:
            self.fields = Message()

    def header(self, name: str) -> str:
        value = self.fields.get(name)
        if value is None:
            return ""
        text = str(value)
        if name.lower() == "subject" and "=?" in text:
            try:
                return str(make_header(decode_header(text[:HEADER_FIELD_CAP])))
            except Exception:
                return text
        return text


@dataclass
class InboundMessage(HeaderReading):
    raw: bytes
    message: EmailMessage
    _text: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, raw: bytes) -> InboundMessage:
        try:
            parsed = email.message_from_bytes(bounded(raw), policy=READING)
        except Exception:  # the email package is lenient; this is the last resort
            parsed = EmailMessage(policy=READING)
        return cls(raw, parsed)

    def header(self, name: str) -> str:
        """A header as text; the raw value where it cannot be parsed; '' where it is absent.
        Each field is parsed once (the email package parses again at every `get`)."""
        cache: dict[str, str] = self.__dict__.setdefault("_headers", {})
        key = name.lower()
        if key not in cache:
            cache[key] = self._read_header(name)
        return cache[key]

    def _read_header(self, name: str) -> str:
        try:
            value = self.message.get(name)
            return "" if value is None else str(value)
        except Exception:
            for key, raw in self.message.raw_items():
                if key.lower() == name.lower():
                    return str(raw)
            return ""

    def all_values(self, name: str, cap: int = 50) -> list[str]:
        """Every field of that name, top first, as text (at most `cap`)."""
        values = []
        for key, raw in self.message.raw_items():
            if key.lower() == name.lower():
                values.append(" ".join(str(raw).split()))
                if len(values) >= cap:
                    break
        return values

    @property
    def from_domains(self) -> list[str]:
        """The domains of every address in every From field (DMARC needs exactly one)."""
        found = [a for value in self.all_values("From", cap=5) for a in self._addresses_in(value[:HEADER_FIELD_CAP])]
        return list(dict.fromkeys(a.rsplit("@", 1)[-1] for a in found if "@" in a))

    @property
    def sender_name(self) -> str | None:
        try:
            names = [a.display_name for a in getattr(self.message.get("From"), "addresses", ()) if a.display_name]
        except Exception:
            return None
        return names[0][:200] if names else None

    @property
    def date(self) -> datetime | None:
        """The sender's Date, aware; None where it is missing, garbage or far in the future.
        `-0000` ("zone unknown") and a date without a zone read as UTC."""
        try:
            value = parsedate_to_datetime(self.header("Date"))
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if value > datetime.now(UTC) + timedelta(days=2) or value.year < 1990:
            return None
        return value

    def parts(self) -> Iterator[EmailMessage]:
        """Every part, depth first, at most PART_CAP of them."""
        try:
            for count, part in enumerate(self.message.walk()):
                if count >= PART_CAP:
                    return
                yield part
        except Exception:
            return

    def content_types(self) -> set[str]:
        return {part.get_content_type() for part in self.parts()}

    def report_type(self) -> str:
        """The report-type of a multipart/report ("delivery-status", "feedback-report", ...)."""
        if self.message.get_content_type() != "multipart/report":
            return ""
        try:
            report_type = self.message.get_param("report-type")
            return report_type.lower() if isinstance(report_type, str) else ""
        except Exception:
            return ""

    def calendar(self) -> str | None:
        """The iCalendar text of a text/calendar or application/ics part, inline or attached."""
        for part in self.parts():
            if part.get_content_type() in ("text/calendar", "application/ics"):
                return content_of(part)
        return None

    @property
    def text(self) -> str:
        """The human-readable body: the first text/plain part, else the HTML one as text."""
        if self._text is None:
            self._text = self._find_text()
        return self._text

    def _find_text(self) -> str:
        plain = self.plain_text()
        if plain:
            return plain
        html = self.html_text()
        return html_to_text(html) if html else ""

    def plain_text(self) -> str:
        """The first text/plain part that is not an attachment; '' where there is none."""
        return self._first_part("text/plain")

    def html_text(self) -> str:
        """The first text/html part that is not an attachment, as markup; '' where there is none."""
        return self._first_part("text/html")

    def _first_part(self, kind: str) -> str:
        cache: dict[str, str] = self.__dict__.setdefault("_parts", {})
        if kind not in cache:
            cache[kind] = next(
                (
                    content_of(part)
                    for part in self.parts()
                    if not part.is_multipart()
                    and part.get_content_disposition() != "attachment"
                    and part.get_content_type() == kind
                ),
                "",
            )
        return cache[kind]


def content_of(part: EmailMessage, cap: int = TEXT_CAP) -> str:
    """A part's text, at most `cap` characters."""
    try:
        content = part.get_content()
    except Exception:
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:
            payload = b""
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    if isinstance(content, bytes):
        content = content[: cap * 4].decode("utf-8", errors="replace")
    elif not isinstance(content, str):
        content = str(content)
    return content[:cap]


def message_ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]{1,990}>", (value or "")[:HEADER_FIELD_CAP])


def bounded(raw: bytes) -> bytes:
    """The message with its header section capped (over-long fields cut, too many dropped,
    MIME fields kept short) and its MIME nesting capped at MIME_DEPTH_CAP boundaries: the
    email package checks each line against every open boundary, so deep nesting costs the
    square of its depth. What lies past the cap is not read."""
    raw = _nesting_capped(raw)
    end = _header_end(raw)
    head, body = raw[:end], raw[end:]
    if len(head) <= MIME_FIELD_CAP and head.count(b"\n") < HEADER_FIELDS_CAP:
        return raw
    fields, kept = _fields(head[:HEADER_SECTION_CAP]), []
    for field_bytes in fields[:HEADER_FIELDS_CAP]:
        cap = MIME_FIELD_CAP if field_bytes[:8].lower() == b"content-" else HEADER_FIELD_CAP
        if len(field_bytes) > cap:
            field_bytes = field_bytes[:cap].rstrip(b"\r\n") + b"\r\n"
        kept.append(field_bytes)
    return b"".join(kept) + (body if body.startswith((b"\r\n", b"\n")) else b"\r\n" + body)


BOUNDARY = re.compile(rb"boundary\s*=", re.IGNORECASE)


def _nesting_capped(raw: bytes) -> bytes:
    for count, found in enumerate(BOUNDARY.finditer(raw), start=1):
        if count > MIME_DEPTH_CAP:
            return raw[: raw.rfind(b"\n", 0, found.start()) + 1]
    return raw


def _header_end(raw: bytes) -> int:
    positions = [p for p in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if p >= 0]
    if not positions:
        return len(raw)
    first = min(positions)
    return first + (2 if raw[first : first + 2] == b"\r\n" else 1)


def _fields(head: bytes) -> list[bytes]:
    """Header fields with their continuation lines, each ending with its line break."""
    fields: list[bytes] = []
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and fields:
            if len(fields[-1]) <= HEADER_FIELD_CAP:
                fields[-1] += line
        elif line.strip():
            fields.append(line)
    return fields
