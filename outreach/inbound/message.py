"""One normalised inbound message, built on `email.message.EmailMessage` with policy=default.

Parsing never raises: a malformed header reads as its raw text or as empty, a broken body
as what could be decoded. The raw bytes are kept as they came.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from datetime import datetime
from html import unescape

from outreach.mail.policy import READING

ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class InboundMessage:
    raw: bytes
    message: EmailMessage
    _text: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, raw: bytes) -> InboundMessage:
        try:
            parsed = email.message_from_bytes(raw, policy=READING)
        except Exception:  # the email package is lenient; this is the last resort
            parsed = EmailMessage(policy=READING)
        return cls(raw, parsed)

    def header(self, name: str) -> str:
        """A header as text; the raw value where it cannot be parsed; '' where it is absent."""
        try:
            value = self.message.get(name)
            return "" if value is None else str(value)
        except Exception:
            for key, raw in self.message.raw_items():
                if key.lower() == name.lower():
                    return str(raw)
            return ""

    def addresses(self, name: str) -> list[str]:
        found = [addr.lower() for _, addr in getaddresses([self.header(name)]) if "@" in addr]
        return found or [a.lower() for a in ADDRESS.findall(self.header(name))]

    @property
    def sender(self) -> str | None:
        addresses = self.addresses("From")
        return addresses[0] if addresses else None

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

    @property
    def date(self) -> datetime | None:
        try:
            return parsedate_to_datetime(self.header("Date"))
        except (TypeError, ValueError, IndexError):
            return None

    def parts(self):
        try:
            yield from self.message.walk()
        except Exception:
            return

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
        html = None
        for part in self.parts():
            if part.is_multipart() or part.get_content_disposition() == "attachment":
                continue
            kind = part.get_content_type()
            if kind == "text/plain":
                return content_of(part)
            if kind == "text/html" and html is None:
                html = content_of(part)
        return html_to_text(html) if html else ""


def content_of(part) -> str:
    try:
        content = part.get_content()
    except Exception:
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    if isinstance(content, bytes):
        return content.decode("utf-8", errors="replace")
    return content if isinstance(content, str) else str(content)


def message_ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def html_to_text(html: str) -> str:
    text = re.sub(r"(?is)<(script|style).*?</\1>", " ", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return "\n".join(" ".join(line.split()) for line in unescape(text).splitlines()).strip()
