"""What a message carries besides its text: the institution's one-pager as PDF and HTML (made
once per campaign and language, named in its language) and documents staff attach."""

from __future__ import annotations

import mimetypes
import re
import threading
from email.message import MIMEPart
from pathlib import Path

from outreach.adapters.pdf_writer import html_as_pdf
from outreach.campaign import CampaignFile
from outreach.domain import language as lang
from outreach.domain.context import institution_fields, message_context, profile_language
from outreach.domain.records import ContactIn, PartnerIn
from outreach.errors import InvalidInput, Problem
from outreach.mail.compose import Attachment
from outreach.mail.wire import shared
from outreach.rendering import Renderer

# What a person names the file in each language: "Riverside Vocational College - Kurzprofil.pdf".
ONE_PAGER_WORDS = {
    "en": "one-pager",
    "de": "Kurzprofil",
    "fr": "présentation",
    "es": "presentación",
    "it": "presentazione",
    "nl": "profiel",
    "pl": "prezentacja",
    "pt": "apresentação",
}


def one_pager_name(settings: CampaignFile, language: str) -> str:
    """The one-pager's file name without its extension, in its language, with the institution's
    name as that language gives it ("Riverside Vocational College - présentation")."""
    language = profile_language(settings, language)
    name = institution_fields(settings, language)["name"]
    word = ONE_PAGER_WORDS.get(lang.base(language), ONE_PAGER_WORDS["en"])
    return re.sub(r'[\\/:*?"<>|]+', "-", f"{name} - {word}")  # no character a file system refuses


def one_pager(settings: CampaignFile, renderer: Renderer, language: str) -> Attachment:
    """The institution's one-page introduction as HTML, wholly in one language: the message's
    where the profile is given in it, else the campaign's. Made once per campaign and language."""
    return _one_pager_files(settings, renderer, language)[0]


def one_pager_pdf(settings: CampaignFile, renderer: Renderer, language: str) -> Attachment:
    """The same page as PDF, its /Lang the page's language (what most partners print or forward)."""
    return _one_pager_files(settings, renderer, language)[1]


def _one_pager_files(settings: CampaignFile, renderer: Renderer, language: str) -> tuple[Attachment, Attachment]:
    language = profile_language(settings, language)
    key = (id(settings), language)
    cached = _one_pagers.get(key)
    if cached is None or cached[0] is not settings:
        with _making:  # one thread makes it (a PDF takes a while); the others wait for it
            cached = _one_pagers.get(key)
            if cached is None or cached[0] is not settings:
                cached = _one_pagers[key] = (settings, _made(settings, renderer, language))
    return cached[1]


def _made(settings: CampaignFile, renderer: Renderer, language: str) -> tuple[Attachment, Attachment]:
    context = message_context(settings, PartnerIn(name="-"), ContactIn(email="x@x.test", language=language))
    html = renderer.one_pager(context)
    stem = one_pager_name(settings, language)
    pdf = html_as_pdf(html, lang.language_tag(language), stem)
    return (
        Attachment(f"{stem}.html", html.encode("utf-8"), "text", "html"),
        Attachment(f"{stem}.pdf", pdf, "application", "pdf"),
    )


_one_pagers: dict[tuple[int, str], tuple[CampaignFile, tuple[Attachment, Attachment]]] = {}
_making = threading.Lock()


def one_pager_part(settings: CampaignFile, renderer: Renderer, language: str) -> MIMEPart:
    """The one-pager (HTML) as a MIME part, built once and attached to every message that carries it."""
    return _part(one_pager(settings, renderer, language))


def one_pager_parts(settings: CampaignFile, renderer: Renderer, language: str) -> tuple[MIMEPart, MIMEPart]:
    """The one-pager as PDF and as HTML, each built once."""
    return _part(one_pager_pdf(settings, renderer, language)), _part(one_pager(settings, renderer, language))


def _part(attachment: Attachment) -> MIMEPart:
    part = _one_pager_parts.get(id(attachment))
    if part is None or part[0] is not attachment:
        part = _one_pager_parts[id(attachment)] = (attachment, shared(attachment.part()))
    return part[1]


_one_pager_parts: dict[int, tuple[Attachment, MIMEPart]] = {}


def attachment_of(path: Path) -> Attachment:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    maintype, subtype = kind.split("/", 1)
    try:
        return Attachment(path.name, path.read_bytes(), maintype, subtype)
    except OSError as error:
        raise InvalidInput([Problem(str(path), None, "attachment", f"cannot read it: {error.strerror}")]) from None
