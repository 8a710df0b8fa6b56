"""Composing outgoing mail with the standard `email` package: text and HTML alternative,
attachments, From with display name, Reply-To, Message-ID, Date, and List-Unsubscribe where a
campaign sends in bulk (personal mail carries none: out-of-office responders ignore list mail)."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from email import quoprimime
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, make_msgid

from outreach.mail.policy import SENDING

UNSUBSCRIBE_SUBJECT = "unsubscribe"


POLICY = SENDING


@functools.lru_cache(maxsize=256)
def _same_for_every_message(name: str, value: str):
    """From, Reply-To and List-Unsubscribe repeat across a campaign: parse them once."""
    return POLICY.header_factory(name, value)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str

    def part(self) -> MIMEPart:
        """The MIME part, ready to attach (the same attachment often goes to many messages)."""
        part = MIMEPart(policy=POLICY)
        params = {"charset": "utf-8"} if self.maintype == "text" else {}
        part.set_content(
            self.content,
            maintype=self.maintype,
            subtype=self.subtype,
            disposition="attachment",
            filename=self.filename,
            params=params,
        )
        return part


@dataclass(frozen=True)
class Envelope:
    """Who the message is from and to; every value was validated as one line on input."""

    sender_name: str
    sender_address: str
    to_name: str | None
    to_address: str
    reply_to: str | None = None
    list_unsubscribe: bool = False  # bulk mail only: responders treat it as list mail and stay silent


@dataclass(frozen=True)
class Body:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment | MIMEPart, ...] = field(default_factory=tuple)


def new_message_id(sender_address: str) -> str:
    """A Message-ID on the sender's own domain, e.g. <1733.4242.123@riverside.example>."""
    return make_msgid(domain=sender_address.rsplit("@", 1)[1])


def address(name: str | None, addr: str) -> Address:
    local, _, domain = addr.rpartition("@")
    return Address(display_name=name or "", username=local, domain=domain)


def _boundary() -> str:
    """A part boundary of our own, so the generator need not search the message for one that is
    free: "=_" never occurs in quoted-printable or base64 text (RFC 2045), and the rest is random."""
    return f"=_{secrets.token_hex(16)}"


# This process's boundaries, one per kind of multipart: every part of our messages is quoted-
# printable or base64, where they cannot occur, so the type fields they stand in are made once.
# A message that carries another message (which may be one of ours) gets boundaries of its own.
_PROCESS_BOUNDARY = f"=_{secrets.token_hex(12)}"


@dataclass(frozen=True)
class CalendarPart:
    """An iTIP message for RFC 6047: in the alternative as text/calendar, and as invite.ics."""

    method: str
    ics: bytes


def compose(
    envelope: Envelope,
    body: Body,
    message_id: str,
    date: datetime,
    extra_headers: dict[str, str] | None = None,
    calendar: CalendarPart | None = None,
) -> EmailMessage:
    """The message: text and HTML as alternatives (and the calendar part of an invitation), then
    its attachments. Fields and part types that are the same in every message are header objects
    made once (`_same_for_every_message`), set as they are; per message: To, Subject, Date,
    Message-ID, the boundaries and the encoded text."""
    message = EmailMessage(policy=POLICY)
    message["From"] = _same_for_every_message("From", str(address(envelope.sender_name, envelope.sender_address)))
    _set(message, "To", str(address(envelope.to_name, envelope.to_address)))
    if envelope.reply_to:
        message["Reply-To"] = _same_for_every_message("Reply-To", envelope.reply_to)
    _set(message, "Subject", body.subject)
    _set(message, "Date", format_datetime(date))
    _set(message, "Message-ID", message_id)
    if envelope.list_unsubscribe:
        message["List-Unsubscribe"] = _same_for_every_message(
            "List-Unsubscribe", f"<mailto:{envelope.sender_address}?subject={UNSUBSCRIBE_SUBJECT}>"
        )
    for name, value in (extra_headers or {}).items():
        message[name] = value
    message.set_raw("MIME-Version", _same_for_every_message("MIME-Version", "1.0"))
    attachments = list(body.attachments)
    if calendar is not None:
        attachments.insert(0, Attachment("invite.ics", calendar.ics, "application", "ics"))
    own = any(isinstance(a, MIMEPart) and a.get_content_maintype() == "message" for a in attachments)
    alternatives = message if not attachments else EmailMessage(policy=POLICY)
    _multipart(alternatives, "alternative", own)
    alternatives.attach(_text_part("plain", body.text))
    alternatives.attach(_text_part("html", body.html, last_header="MIME-Version"))
    if calendar is not None:  # the MIME method always equals the METHOD inside
        alternatives.add_alternative(
            calendar.ics.decode("utf-8"),
            subtype="calendar",
            charset="utf-8",
            params={"method": calendar.method},
            cte="quoted-printable",
        )
    if attachments:
        _multipart(message, "mixed", own)
        message.attach(alternatives)
        for attachment in attachments:
            message.attach(attachment if isinstance(attachment, MIMEPart) else attachment.part())  # type: ignore[arg-type]  # typeshed wants an EmailMessage; any MIMEPart attaches
    return message


def _set(message: EmailMessage, name: str, value: str) -> None:
    """A field that changes from message to message. Printable ASCII on one short line is written
    as it is (the generator would write the same bytes): no header object to parse it into and fold
    it out of again. Anything else (other letters to encode, a long line to fold, text that looks
    like an encoded word, a line break or a control character to refuse) goes through the policy's
    header classes."""
    if value and value.isascii() and value.isprintable() and "=?" not in value and len(name) + len(value) < _PLAIN_LINE:
        message.set_raw(name, value)
    else:
        message[name] = value


_PLAIN_LINE = 76  # shorter than the policy's 78 with ": ": never folded


def _multipart(message: EmailMessage, subtype: str, own_boundary: bool = False) -> None:
    if own_boundary:
        field = POLICY.header_factory("Content-Type", f'multipart/{subtype}; boundary="{_boundary()}"')
    else:
        field = _same_for_every_message(
            "Content-Type", f'multipart/{subtype}; boundary="{_PROCESS_BOUNDARY}_{subtype[0]}"'
        )
    message.set_raw("Content-Type", field)
    message.set_payload([])


def _text_part(subtype: str, text: str, last_header: str | None = None) -> EmailMessage:
    """A text part in UTF-8, quoted-printable (readable, and safe through servers without
    8BITMIME), as `set_content(text, subtype, charset="utf-8", cte="quoted-printable")` makes it."""
    part = EmailMessage(policy=POLICY)
    part.set_raw("Content-Type", _same_for_every_message("Content-Type", f'text/{subtype}; charset="utf-8"'))
    part.set_raw("Content-Transfer-Encoding", _same_for_every_message("Content-Transfer-Encoding", "quoted-printable"))
    if last_header == "MIME-Version":  # where set_content would add it: after the content fields
        part.set_raw("MIME-Version", _same_for_every_message("MIME-Version", "1.0"))
    lines = text.encode("utf-8").splitlines()
    part.set_payload(
        quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), POLICY.max_line_length or 78)
    )
    return part
