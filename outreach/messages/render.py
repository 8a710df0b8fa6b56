"""Messages in the partner's language and register, rendered from the campaign's templates: the
preview of every first contact (drafts) and the one message of a step or a one-off mail."""

from __future__ import annotations

from collections.abc import Callable
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
    name = renderer.variant(
        template, message_register(settings, contact), message_language(settings, contact), settings.message.language
    )
    written_in = name.rsplit(".", 2)[-2]
    more = extra(written_in) if callable(extra) else (extra or {})
    context = {**message_context(settings, partner, contact, written_in), **more}
    return renderer.render(name, context, where=f"partner {partner.name!r}, contact {contact.email}")


def render_free_text(
    settings: CampaignFile, renderer: Renderer, partner: PartnerIn, contact: ContactIn, subject: str, body: str
) -> Rendered:
    """A one-off mail staff wrote themselves, signed as every message is."""
    context = message_context(settings, partner, contact)
    return renderer.free_text(subject, body, context)


def draft_all(campaign: LoadedCampaign, renderer: Renderer, advance: Callable[[], None] = lambda: None) -> list[Draft]:
    """Every first-contact message, or InvalidInput naming each partner and missing variable."""
    drafts, problems = [], []
    for partner in campaign.partners:
        for contact in partner.contacts:
            advance()
            try:
                rendered = render_message(
                    campaign.settings, renderer, partner, contact, campaign.settings.message.template
                )
            except TemplateError as error:
                problems.append(Problem(str(campaign.path), None, "template", str(error)))
                continue
            drafts.append(Draft(partner, contact, rendered, campaign.settings))
    if problems:
        raise InvalidInput(problems)
    return drafts
