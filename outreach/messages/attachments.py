"""What a message carries besides its text: the institution's one-pager (made once per campaign
and language) and documents staff attach."""

from __future__ import annotations

import mimetypes
from email.message import MIMEPart
from pathlib import Path

from outreach.campaign import CampaignFile
from outreach.domain.context import message_context, profile_language
from outreach.domain.records import ContactIn, PartnerIn
from outreach.errors import InvalidInput, Problem
from outreach.mail.compose import Attachment
from outreach.rendering import Renderer


def one_pager(settings: CampaignFile, renderer: Renderer, language: str) -> Attachment:
    """The institution's one-page introduction, wholly in one language: the message's where
    the profile is given in it, else the campaign's. Made once per campaign and language."""
    language = profile_language(settings, language)
    key = (id(settings), language)
    cached = _one_pagers.get(key)
    if cached is None or cached[0] is not settings:
        context = message_context(settings, PartnerIn(name="-"), ContactIn(email="x@x.test", language=language))
        html = renderer.one_pager(context)
        attachment = Attachment(f"{settings.institution.name} - one-pager.html", html.encode("utf-8"), "text", "html")
        cached = _one_pagers[key] = (settings, attachment)
    return cached[1]


_one_pagers: dict[tuple[int, str], tuple[CampaignFile, Attachment]] = {}


def one_pager_part(settings: CampaignFile, renderer: Renderer, language: str) -> MIMEPart:
    """The one-pager as a MIME part, built once and attached to every message that carries it."""
    attachment = one_pager(settings, renderer, language)
    part = _one_pager_parts.get(id(attachment))
    if part is None or part[0] is not attachment:
        part = _one_pager_parts[id(attachment)] = (attachment, attachment.part())
    return part[1]


_one_pager_parts: dict[int, tuple[Attachment, MIMEPart]] = {}


def attachment_of(path: Path) -> Attachment:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    maintype, subtype = kind.split("/", 1)
    try:
        return Attachment(path.name, path.read_bytes(), maintype, subtype)
    except OSError as error:
        raise InvalidInput([Problem(str(path), None, "attachment", f"cannot read it: {error.strerror}")]) from None
