"""Composing outgoing mail with the standard `email` package: text and HTML alternative,
attachments, From with display name, Reply-To, Message-ID, Date, List-Unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

UNSUBSCRIBE_SUBJECT = "unsubscribe"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str


@dataclass(frozen=True)
class Envelope:
    """Who the message is from and to; every value was validated as one line on input."""

    sender_name: str
    sender_address: str
    to_name: str | None
    to_address: str
    reply_to: str | None = None


@dataclass(frozen=True)
class Body:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


def new_message_id(sender_address: str) -> str:
    """A Message-ID on the sender's own domain, e.g. <1733.4242.123@riverside.example>."""
    return make_msgid(domain=sender_address.rsplit("@", 1)[1])


def address(name: str | None, addr: str) -> Address:
    local, _, domain = addr.rpartition("@")
    return Address(display_name=name or "", username=local, domain=domain)


def compose(envelope: Envelope, body: Body, message_id: str, date: datetime,
            extra_headers: dict[str, str] | None = None) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = address(envelope.sender_name, envelope.sender_address)
    message["To"] = address(envelope.to_name, envelope.to_address)
    if envelope.reply_to:
        message["Reply-To"] = address(None, envelope.reply_to)
    message["Subject"] = body.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["List-Unsubscribe"] = f"<mailto:{envelope.sender_address}?subject={UNSUBSCRIBE_SUBJECT}>"
    for name, value in (extra_headers or {}).items():
        message[name] = value
    # quoted-printable: readable, and safe through servers without 8BITMIME
    message.set_content(body.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(body.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in body.attachments:
        params = {"charset": "utf-8"} if attachment.maintype == "text" else {}
        message.add_attachment(attachment.content, maintype=attachment.maintype,
                               subtype=attachment.subtype, filename=attachment.filename, params=params)
    return message
