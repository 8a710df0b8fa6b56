"""Rendering and composing: a missing value never goes out; headers are built safely."""

import email
from datetime import UTC, datetime
from email.policy import default

import pytest

from outreach.campaign import load_campaign
from outreach.errors import InvalidInput
from outreach.mail.compose import Body, Envelope, compose, new_message_id
from outreach.messages.attachments import one_pager
from outreach.messages.render import draft_all, renderer_for
from outreach.rendering import Renderer, TemplateError
from tests.support.campaigns import campaign_settings, with_profiles, write_campaign


def partners(**contact):
    return [
        {
            "name": "Nordhafen Logistik GmbH",
            "partnership_types": ["training"],
            "contacts": [{"name": "Klaus Becker", "email": "k.becker@nordhafen.test", **contact}],
        }
    ]


def test_the_register_and_language_come_from_the_contact_else_the_campaign(tmp_path):
    settings = campaign_settings("c", 1, 1, partners(language="de", register="informal"))
    settings["partners"].append(
        {
            "name": "Atelier",
            "partnership_types": ["mobility"],
            "contacts": [{"name": "Camille Martin", "email": "c@atelier.test"}],
        }
    )
    settings["message"] = {"language": "fr", "register": "formal"}
    drafts = draft_all(load_campaign(write_campaign(tmp_path, settings)), Renderer())
    assert [(d.rendered.template, d.rendered.subject) for d in drafts] == [
        ("first_contact/informal.de.j2", "Lust auf eine Zusammenarbeit?"),
        ("first_contact/formal.fr.j2", "Proposition de collaboration"),
    ]
    assert drafts[0].rendered.text.startswith("Hallo Klaus,\n")
    assert "Aus- und Weiterbildung" in drafts[0].rendered.text


def test_a_language_without_templates_falls_back_to_the_campaigns(tmp_path):
    campaign = load_campaign(write_campaign(tmp_path, campaign_settings("c", 1, 1, partners(language="cs"))))
    [draft] = draft_all(campaign, Renderer())
    assert draft.rendered.template == "first_contact/formal.en.j2"
    assert "no first_contact template in cs; they will get en" in draft.notes[0]


def test_a_missing_value_names_partner_and_variable_and_nothing_is_queued(tmp_path, cli):
    own = tmp_path / "own" / "first_contact"
    own.mkdir(parents=True)
    (own / "formal.en.j2").write_text(
        "{% block subject %}For {{ contact.name }}{% endblock %}\n"
        "{% block text %}{{ greeting }} {{ partnership_fields }}{% endblock %}\n"
    )
    settings = campaign_settings(
        "c",
        1,
        1,
        [
            {"name": "Nordhafen", "partnership_types": ["training"], "contacts": [{"email": "a@nordhafen.test"}]},
            {"name": "Atelier", "contacts": [{"name": "Camille Martin", "email": "c@atelier.test"}]},
            {
                "name": "Fine",
                "partnership_types": ["training"],
                "contacts": [{"name": "Fine Person", "email": "f@fine.test"}],
            },
        ],
        message__template_dir=str(tmp_path / "own"),
    )
    path = write_campaign(tmp_path, settings)
    with pytest.raises(InvalidInput) as caught:
        draft_all(load_campaign(path), Renderer(tmp_path / "own"))
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        (
            "partner 'Nordhafen', contact a@nordhafen.test: template first_contact/formal.en.j2 "
            "needs contact.name, which is missing"
        ),
        (
            "partner 'Atelier', contact c@atelier.test: template first_contact/formal.en.j2 "
            "needs partnership_fields, which is missing"
        ),
    ]
    validated = cli("campaign", "validate", path)
    assert validated.code == 2 and "partner 'Nordhafen', contact a@nordhafen.test" in validated.err
    preview = cli("campaign", "preview", path, "--out", tmp_path / "out")
    assert preview.code == 2 and "needs contact.name" in preview.err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    queued = cli("campaign", "queue", path)
    assert queued.code == 2 and "needs partnership_fields" in queued.err and "nothing was written" in queued.err
    assert cli("partners", "list", "--json").out.strip() == "[]"


def test_a_campaigns_own_template_folder_comes_first(tmp_path):
    own = tmp_path / "own" / "first_contact"
    own.mkdir(parents=True)
    (own / "formal.en.j2").write_text(
        "{% block subject %}Hello {{ organisation.name }}{% endblock %}"
        "{% block text %}Dear {{ contact.name }}, <b>hi</b>{% endblock %}"
    )
    settings = campaign_settings("c", 1, 1, partners(), message={"template_dir": "own"})
    [draft] = draft_all(
        load_campaign(write_campaign(tmp_path, settings)),
        renderer_for(load_campaign(write_campaign(tmp_path, settings)).settings),
    )
    assert draft.rendered.subject == "Hello Nordhafen Logistik GmbH"
    assert "Dear Klaus Becker, &lt;b&gt;hi&lt;/b&gt;" in draft.rendered.html  # the HTML part is escaped


def test_a_broken_template_is_reported_with_its_line(tmp_path):
    own = tmp_path / "own" / "first_contact"
    own.mkdir(parents=True)
    (own / "formal.en.j2").write_text(
        "{% block subject %}x{% endblock %}\n{% block text %}{{ contact.name {% endblock %}"
    )
    renderer = Renderer(tmp_path / "own")
    with pytest.raises(TemplateError, match=r"formal.en.j2:2: "):
        renderer.render("first_contact/formal.en.j2", {"language": "en", "register": "formal"}, "here")


def test_headers_encode_non_ascii_names_and_carry_what_mail_clients_need():
    message = compose(
        Envelope(
            "Jana Weber, Berufskolleg Süd",
            "jana@school.test",
            "Jürgen Schäfer",
            "j@suedheide.test",
            "team@school.test",
            list_unsubscribe=True,
        ),
        Body("Anfrage zu einer möglichen Zusammenarbeit", "Hallo Jürgen\n", "<p>Hallo Jürgen</p>"),
        new_message_id("jana@school.test"),
        datetime(2027, 3, 1, 10, 0, tzinfo=UTC),
    )
    raw = message.as_bytes()
    assert all(byte < 128 for byte in raw.split(b"\r\n\r\n", 1)[0])  # headers are 7-bit
    parsed = email.message_from_bytes(raw, policy=default)
    assert parsed["From"].addresses[0].display_name == "Jana Weber, Berufskolleg Süd"
    assert parsed["To"].addresses[0].display_name == "Jürgen Schäfer"
    assert parsed["Reply-To"] == "team@school.test"
    assert parsed["Subject"] == "Anfrage zu einer möglichen Zusammenarbeit"
    assert parsed["Message-ID"].endswith("@school.test>")
    assert parsed["Date"] == "Mon, 01 Mar 2027 10:00:00 +0000"
    assert parsed["List-Unsubscribe"] == "<mailto:jana@school.test?subject=unsubscribe>"  # bulk campaigns only
    assert parsed.get_body(("plain",)).get_content() == "Hallo Jürgen\r\n"
    assert parsed.get_body(("html",)).get_content() == "<p>Hallo Jürgen</p>\r\n"


@pytest.mark.parametrize(
    ("to_name", "subject"),
    [
        ("Person 1", "Work placements"),
        ("Müller, Jürgen", "Ça va ?"),
        ('Dr. "Al" Smith (HR)', "Re: [VET] 50% (of) <all>; a, b: c"),
        ("", "A subject long enough that the mail standard asks for it to be folded onto two lines"),
        ("O'Brien", "=?utf-8?q?looks_encoded?="),
        ("A", " leading and trailing "),
    ],
)
def test_each_messages_own_fields_are_the_bytes_the_policy_writes(to_name, subject):
    """To, Subject, Date and Message-ID change with every message; where one is plain ASCII on a
    short line compose writes it as it is: byte for byte what the policy's header classes write."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    from outreach.mail.compose import POLICY, address

    when, message_id = datetime(2027, 3, 1, 10, 0, tzinfo=UTC), new_message_id("jana@school.test")
    message = compose(
        Envelope("Jana Weber", "jana@school.test", to_name, "person@firm.test"),
        Body(subject, "Hello\n", "<p>Hello</p>"),
        message_id,
        when,
    )
    expected = EmailMessage(policy=POLICY)
    expected["To"] = address(to_name, "person@firm.test")
    expected["Subject"] = subject
    expected["Date"] = format_datetime(when)
    expected["Message-ID"] = message_id
    written = message.as_bytes(policy=POLICY).split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    for line in expected.as_bytes(policy=POLICY).split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        assert line in written, line  # folded continuation lines included


def test_a_line_break_in_a_subject_is_refused_not_written():
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        compose(
            Envelope("Jana Weber", "jana@school.test", "P", "person@firm.test"),
            Body("Hello\r\nBcc: someone@else.test", "Hello\n", "<p>Hello</p>"),
            new_message_id("jana@school.test"),
            datetime(2027, 3, 1, 10, 0, tzinfo=UTC),
        )


def test_the_one_pager_has_the_guides_five_sections(tmp_path):
    campaign = load_campaign(write_campaign(tmp_path, campaign_settings("c", 1, 1, partners())))
    attachment = one_pager(campaign.settings, Renderer(), "en")
    # A language the profile is not given in gets the whole one-pager in the campaign's language.
    assert one_pager(campaign.settings, Renderer(), "de").content == attachment.content
    html = attachment.content.decode()
    for heading in (
        "Who we are",
        "What we offer",
        "What we&#39;re looking for",
        "Why partner with us?",
        "Contact details",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert "A public VET provider with 2,400 learners." in html and "Jana Weber, Partnership Officer" in html
    german = load_campaign(write_campaign(tmp_path, with_profiles(campaign_settings("c", 1, 1, partners()), ["de"])))
    html = one_pager(german.settings, Renderer(), "de").content.decode()
    assert "<h2>Wer wir sind</h2>" in html and "Ein öffentlicher Anbieter beruflicher Bildung" in html
    assert "A public VET provider" not in html and 'lang="de"' in html
