"""A message is rendered once: the first contact rendered when it was queued goes out as it
is, and is rendered again only when what it was made from changed (the partner's or the
contact's data, the template, the campaign file queued again)."""

import os
import shutil
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.models import Contact, Partner, Step
from outreach.rendering import BUILTIN_TEMPLATES, Renderer
from outreach.services.outbound import campaigns, scheduler, sending
from tests.support.campaigns import campaign_settings, write_campaign
from tests.support.services import closed_port

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


class Outbox:
    def __init__(self):
        self.sent = []

    def send(self, message, sender, recipients):
        self.sent.append(message)

    def file_sent(self, message, when):
        pass

    def was_sent(self, message_id):
        return False


class CountingRenderer(Renderer):
    """A renderer that counts the messages it renders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rendered = 0

    def render(self, name, context, where):
        self.rendered += 1
        return super().render(name, context, where)


def settings(**overrides):
    partners = [
        {
            "name": f"Werkstatt {i} GmbH",
            "partnership_types": ["training"],
            "contacts": [{"name": f"Person {i}", "email": f"person{i}@werkstatt{i}.test", "language": "en"}],
        }
        for i in range(2)
    ]
    return campaign_settings("once", closed_port(), closed_port(), partners, **overrides)


def queue(uow, tmp_path, renderer=None, **overrides):
    campaign = load_campaign(write_campaign(tmp_path, settings(**overrides)))
    summary = campaigns.queue(uow.session, campaign, renderer or Renderer(), NOW)
    uow.commit()
    return summary


def send_due(uow, renderer) -> list[str]:
    """Every due step sent through the real send path; the text of each message."""
    outbox, ids = Outbox(), []
    scheduler.tick(uow, NOW, lambda step_id, delay: ids.append(step_id), lambda s: outbox, lambda s: renderer)
    outcomes = [sending.send_step(uow, i, lambda s: outbox, lambda s: renderer, lambda: NOW) for i in ids]
    assert [o.result for o in outcomes] == ["sent"] * len(ids)
    return [m.get_body(("plain",)).get_content() for m in outbox.sent]


def test_a_queued_message_goes_out_as_it_was_rendered_without_rendering_it_again(uow, tmp_path):
    queue(uow, tmp_path)
    kept = uow.session.scalars(sa.select(Step.rendered).order_by(Step.id)).all()
    assert all(k["fingerprint"] and "Werkstatt" in k["text"] and "<p>" in k["html"] for k in kept)

    renderer = CountingRenderer()
    texts = send_due(uow, renderer)
    assert renderer.rendered == 0
    assert texts == [k["text"] for k in kept]


def test_a_partner_or_contact_edited_after_queuing_gets_the_new_text(uow, tmp_path):
    queue(uow, tmp_path)
    uow.session.execute(sa.update(Partner).where(Partner.name == "Werkstatt 0 GmbH").values(name="Neue Werkstatt AG"))
    uow.session.execute(
        sa.update(Contact).where(Contact.email == "person1@werkstatt1.test").values(name="Dr. Ada Lovelace")
    )
    uow.commit()

    renderer = CountingRenderer()
    first, second = send_due(uow, renderer)
    assert renderer.rendered == 2
    assert "Neue Werkstatt AG" in first and "Werkstatt 0 GmbH" not in first
    assert "Lovelace" in second and "Person 1" not in second


def own_templates(tmp_path):
    folder = tmp_path / "own"
    shutil.copytree(BUILTIN_TEMPLATES / "first_contact", folder / "first_contact")
    return folder


def edit(template, old: str, new: str) -> None:
    text = template.read_text(encoding="utf-8")
    assert old in text
    template.write_text(text.replace(old, new), encoding="utf-8")
    later = template.stat().st_mtime + 5  # a change a reloading loader sees whatever the clock's grain
    os.utime(template, (later, later))


def test_a_template_edited_after_queuing_gets_the_new_text(uow, tmp_path):
    folder = own_templates(tmp_path)
    queue(uow, tmp_path, Renderer(folder), message__template_dir=str(folder))
    edit(folder / "first_contact" / "formal.en.j2", "Looking forward to your response.", "We hope to hear from you.")

    renderer = CountingRenderer(folder)  # the worker that sends, started after the edit
    texts = send_due(uow, renderer)
    assert renderer.rendered == 2
    assert all("We hope to hear from you." in t and "Looking forward" not in t for t in texts)


def test_in_development_a_running_renderer_sees_a_template_edited_after_queuing(uow, tmp_path):
    folder = own_templates(tmp_path)
    renderer = CountingRenderer(folder, development=True)
    queue(uow, tmp_path, renderer, message__template_dir=str(folder))
    edit(folder / "first_contact" / "formal.en.j2", "Looking forward to your response.", "We hope to hear from you.")

    texts = send_due(uow, renderer)
    assert all("We hope to hear from you." in t for t in texts)


def test_a_campaign_queued_again_with_changes_gets_the_new_text(uow, tmp_path):
    queue(uow, tmp_path)
    summary = queue(uow, tmp_path, institution__name="Hafenberufsschule Nord")
    assert any(change.startswith("institution.name") for change in summary.changes)
    assert summary.already_queued == 2 and summary.scheduled == 0

    texts = send_due(uow, Renderer())
    assert all("Hafenberufsschule Nord" in t and "Riverside" not in t for t in texts)


def test_a_campaign_queued_again_with_another_template_gets_it(uow, tmp_path):
    folder = own_templates(tmp_path)
    shutil.copytree(folder / "first_contact", folder / "warm_intro")
    edit(folder / "warm_intro" / "formal.en.j2", "Looking forward to your response.", "A colleague suggested you.")
    queue(uow, tmp_path, Renderer(folder), message__template_dir=str(folder))
    summary = queue(uow, tmp_path, Renderer(folder), message__template_dir=str(folder), message__template="warm_intro")
    assert summary.steps_updated == 2

    texts = send_due(uow, Renderer(folder))
    assert all("A colleague suggested you." in t for t in texts)


def test_templates_are_not_looked_at_again_outside_development(monkeypatch):
    monkeypatch.delenv("OUTREACH_DEVELOPMENT", raising=False)
    assert Renderer().env.auto_reload is False
    monkeypatch.setenv("OUTREACH_DEVELOPMENT", "1")
    assert Renderer().env.auto_reload is True
    assert Renderer(development=False).env.auto_reload is False


@pytest.mark.parametrize("kept", [None, {"subject": "x", "fingerprint": "not what it was made from"}])
def test_a_step_without_a_matching_message_kept_is_rendered_when_sent(uow, tmp_path, kept):
    queue(uow, tmp_path)
    uow.session.execute(sa.update(Step).values(rendered=kept))
    uow.commit()

    renderer = CountingRenderer()
    texts = send_due(uow, renderer)
    assert renderer.rendered == 2 and all("Werkstatt" in t for t in texts)
