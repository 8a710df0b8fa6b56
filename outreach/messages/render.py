"""Messages in the partner's language and register, rendered from the campaign's templates: the
preview of every first contact (drafts) and the one message of a step or a one-off mail.

A message is rendered once: the one a step was queued with is kept with its fingerprint (the
template's source and what it includes, every value the template saw: the partner's and the
contact's data, the campaign's settings, the rendering rules' version). At send time the
fingerprint is taken again from the data as it is then; the kept message goes out as it is
when they agree, and is rendered again when anything it was made from changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from outreach.campaign import CampaignFile, LoadedCampaign
from outreach.domain.context import message_context, message_language, message_register, profile_language
from outreach.domain.records import ContactIn, PartnerIn
from outreach.errors import InvalidInput, Problem
from outreach.rendering import Rendered, Renderer, TemplateError


@dataclass(frozen=True)
class Draft:
    partner: PartnerIn
    contact: ContactIn
    rendered: Rendered
    settings: CampaignFile
    source: MessageSource | None = None

    @property
    def notes(self) -> list[str]:
        """Where the contact's language is not fully served, what they get instead, said plainly."""
        who = f"partner {self.partner.name!r}, contact {self.contact.email}"
        used, wanted = self.rendered.written_in, self.rendered.language
        notes = []
        if used not in (wanted, wanted.split("-")[0]):
            notes.append(
                f"{who}: no {self.rendered.template.split('/')[0]} template in {wanted}; "
                f"they will get {used} ({self.rendered.template})"
            )
        profile = profile_language(self.settings, used)
        if profile.split("-")[0] != used.split("-")[0] and self.settings.message.attach_one_pager:
            notes.append(
                f"{who}: the institution profile has no {used} text (add institution.translations.{used}); "
                f"their one-pager will be in {profile}"
            )
        return notes


def renderer_for(settings: CampaignFile) -> Renderer:
    return Renderer(settings.message.template_dir)


@dataclass(frozen=True)
class MessageSource:
    """What a message is rendered from: the template file and every value it sees."""

    name: str
    context: dict
    where: str

    def fingerprint(self, renderer: Renderer) -> str:
        digest = hashlib.sha256(renderer.source_digest(self.name).encode())
        digest.update(self.name.encode())
        # in the order message_context builds it: the same values give the same text
        digest.update(json.dumps(self.context, ensure_ascii=False, default=str).encode())
        return digest.hexdigest()

    def render(self, renderer: Renderer) -> Rendered:
        return renderer.render(self.name, self.context, self.where)


def message_source(
    settings: CampaignFile,
    renderer: Renderer,
    partner: PartnerIn,
    contact: ContactIn,
    template: str,
    extra: dict | Callable[[str], dict] | None = None,
) -> MessageSource:
    """The template file for the contact's language and register (or the campaign's language
    where theirs has none) and what it sees. `extra` may depend on that language: a function of it."""
    name = renderer.variant(
        template, message_register(settings, contact), message_language(settings, contact), settings.message.language
    )
    written_in = name.rsplit(".", 2)[-2]
    more = extra(written_in) if callable(extra) else (extra or {})
    context = {**message_context(settings, partner, contact, written_in), **more}
    return MessageSource(name, context, f"partner {partner.name!r}, contact {contact.email}")


def render_message(
    settings: CampaignFile,
    renderer: Renderer,
    partner: PartnerIn,
    contact: ContactIn,
    template: str,
    extra: dict | Callable[[str], dict] | None = None,
) -> Rendered:
    """A message in the contact's language and register (or the campaign's language where
    theirs has no template). `extra` may depend on that language (dates): a function of it."""
    return message_source(settings, renderer, partner, contact, template, extra).render(renderer)


def kept(rendered: Rendered, fingerprint: str) -> dict:
    """A rendered message as a step keeps it, with the fingerprint of what it was made from."""
    return {**vars(rendered), "fingerprint": fingerprint}


def rendered_once(renderer: Renderer, source: MessageSource, stored: dict | None) -> Rendered:
    """The message kept with the step when it was made from the same things; else rendered now."""
    if stored is not None and stored.get("fingerprint") == source.fingerprint(renderer):
        return Rendered(**{k: v for k, v in stored.items() if k != "fingerprint"})
    return source.render(renderer)


def render_free_text(
    settings: CampaignFile, renderer: Renderer, partner: PartnerIn, contact: ContactIn, subject: str, body: str
) -> Rendered:
    """A one-off mail staff wrote themselves, signed as every message is."""
    context = message_context(settings, partner, contact)
    return renderer.free_text(subject, body, context)


def draft_all(campaign: LoadedCampaign, renderer: Renderer, advance: Callable[[], None] = lambda: None) -> list[Draft]:
    """Every first-contact message, or InvalidInput naming each partner and missing variable."""
    problems: list[Problem] = []
    drafts = list(each_draft(campaign, renderer, problems, advance))
    if problems:
        raise InvalidInput(problems)
    return drafts


def each_draft(
    campaign: LoadedCampaign,
    renderer: Renderer,
    problems: list[Problem],
    advance: Callable[[], None] = lambda: None,
) -> Iterator[Draft]:
    """Each first-contact message in turn, none kept; a contact whose message cannot be rendered
    adds a Problem (naming the partner and the missing variable) instead."""
    settings = campaign.settings
    for partner in campaign.partners:
        for contact in partner.contacts:
            advance()
            try:
                source = message_source(settings, renderer, partner, contact, settings.message.template)
                rendered = source.render(renderer)
            except TemplateError as error:
                problems.append(Problem(str(campaign.path), None, "template", str(error)))
                continue
            yield Draft(partner, contact, rendered, settings, source)
