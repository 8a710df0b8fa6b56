"""A rendered message as mail from the campaign's mailbox: its envelope (Reply-To with the
step's token where the mailbox has plus-addressing), its parts, and notices to staff."""

from __future__ import annotations

import secrets
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage, MIMEPart
from html import escape as html_escape
from pathlib import Path

from outreach.campaign import CampaignFile
from outreach.domain.records import ContactIn
from outreach.mail.compose import Body, Envelope, compose, new_message_id
from outreach.mail.policy import READING
from outreach.messages.attachments import attachment_of, one_pager_parts
from outreach.rendering import Rendered, Renderer


def new_reply_token(settings: CampaignFile) -> str | None:
    """With plus-addressing, each message gets a token of its own for its reply address."""
    return secrets.token_hex(6) if settings.resolved_mailbox.plus_addressing else None


def reply_address(settings: CampaignFile, token: str | None) -> str | None:
    """Where answers go: with plus-addressing, the mailbox's address tagged with the step's token."""
    mailbox = settings.resolved_mailbox
    if mailbox.plus_addressing and token:
        local, _, domain = (mailbox.reply_to or mailbox.address).partition("@")
        return f"{local}+{token}@{domain}"
    return mailbox.reply_to


def build_message(
    settings: CampaignFile,
    renderer: Renderer,
    contact: ContactIn,
    rendered: Rendered,
    message_id: str,
    date: datetime,
    extra_headers: dict[str, str] | None = None,
    reply_token: str | None = None,
    one_pager: bool | None = None,
    document: Path | None = None,
) -> EmailMessage:
    """The message as it goes out. `one_pager`: whether it carries the one-pager (HTML and PDF);
    None means as a first contact does (`message.attach_one_pager`)."""
    mailbox = settings.resolved_mailbox
    attach = settings.message.attach_one_pager if one_pager is None else one_pager
    attachments: tuple[MIMEPart, ...] = one_pager_parts(settings, renderer, rendered.written_in) if attach else ()
    if document is not None:  # a document staff attach to a one-off mail (a proposal, an MoU)
        attachments += (attachment_of(document).part(),)
    return compose(
        Envelope(
            mailbox.display_name,
            mailbox.address,
            contact.name,
            contact.email,
            reply_address(settings, reply_token),
            settings.message.list_unsubscribe,
        ),
        Body(rendered.subject, rendered.text, rendered.html, attachments),
        message_id,
        date,
        extra_headers,
    )


def staff_notice_message(settings: CampaignFile, notice, date: datetime) -> EmailMessage:
    """A `TellStaff` event as mail, with the partner's whole message attached where it is kept."""
    mailbox = settings.resolved_mailbox
    attached: tuple[MIMEPart, ...] = ()
    if notice.raw_path and Path(notice.raw_path).is_file():
        original = MIMEPart()
        original.set_content(message_from_bytes(Path(notice.raw_path).read_bytes(), policy=READING))
        attached = (original,)
    return compose(
        Envelope(mailbox.display_name, mailbox.address, None, notice.to),
        Body(notice.subject[:200], notice.text, f"<pre>{html_escape(notice.text)}</pre>", attached),
        new_message_id(mailbox.address),
        date,
    )
