"""Every kind of mail, in every language and register, as a native reader expects (issue 22):
units agreeing with their numbers, the first of the month as an ordinal where the language
writes one, no year on a date in the reader's year, French no-break spaces (never in times,
links or addresses), no double full stop after a name ending in one, no subject chaining two
colons; and the one-pager as a person sends it: first contact only unless a step asks, PDF and
HTML named in the mail's language, documents declaring their language."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest

from outreach.adapters.docx_writer import as_docx
from outreach.campaign import load_campaign
from outreach.campaign.model import SequenceStep
from outreach.domain.language import LANGUAGES, long_date, number, short_date, unit_forms, units, when
from outreach.messages.envelope import build_message
from outreach.messages.render import render_message
from outreach.rendering import Fields, Renderer
from outreach.services.outbound import campaigns
from tests.support.campaigns import campaign_settings, with_profiles, write_campaign
from tests.test_sending_rules import Clock, FakeOutbox, run_tick, send_all

NBSP = "\u00a0"
TODAY = date(2027, 1, 20)  # the day the mail is written: every date below is in its year
FIRST_OF_MARCH = date(2027, 3, 1)
MEETING = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
PARTNER = "Logística Atlântica, Lda."  # a name ending in a full stop
LINK = "https://meet.example/room?id=abc:1"
KINDS = (
    "first_contact",
    "follow_up",
    "later",
    "closing",
    "introduction",
    "introduction_request",
    "invitation",
    "check_in_invitation",
    "counter_declined",
    "check_in",
    "next_steps",
    "booking",
)
# The KPI's unit as staff give it for each language: the forms CLDR's categories ask for.
UNITS = {
    "en": "apprentice|apprentices",
    "de": "Auszubildender|Auszubildende",
    "fr": "apprenti|apprentis",
    "es": "aprendiz|aprendices",
    "it": "apprendista|apprendisti",
    "nl": "leerling|leerlingen",
    "pl": "praktykant|praktykanci|praktykantów|praktykanta",
    "pt": "aprendiz|aprendizes",
}
# What a native writes for a target of 5 and of 1 (Polish: 5 takes the genitive plural).
TARGET_5 = {
    "en": "5 apprentices",
    "de": "5 Auszubildende",
    "fr": "5 apprentis",
    "es": "5 aprendices",
    "it": "5 apprendisti",
    "nl": "5 leerlingen",
    "pl": "5 praktykantów",
    "pt": "5 aprendizes",
}
FIRST_OF_MONTH = {"fr": "1er mars", "it": "1º marzo"}


def contacts():
    for language in LANGUAGES:
        for register in ("formal", "informal"):
            yield {
                "name": "Ana Costa",
                "salutation": "female",
                "email": f"{language}.{register}@firm.test",
                "language": language,
                "register": register,
            }


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    partner = {"name": PARTNER, "partnership_types": ["training", "mobility"], "contacts": list(contacts())}
    path = write_campaign(
        tmp_path_factory.mktemp("native"), with_profiles(campaign_settings("native", 1, 1, [partner]))
    )
    return load_campaign(path)


def kpis(language: str) -> list[dict]:
    return [
        {
            "name": "Apprentis accueillis" if language == "fr" else "Apprentices hosted",
            "current": number(1.5, language),
            "target": number(5, language),
            "target_units": units(5, language, UNITS[language]),
            "unit": unit_forms(UNITS[language], language)["other"],
            "due": short_date(FIRST_OF_MARCH, language, TODAY),
        },
        {
            "name": "Joint applications",
            "current": None,
            "target": number(1, language),
            "target_units": units(1, language, UNITS[language]),
            "unit": unit_forms(UNITS[language], language)["other"],
            "due": None,
        },
    ]


def words(language: str, cancelled: bool = False) -> dict:
    """What the services give each kind of mail, dated as they date it (the reader's today)."""
    day = short_date(FIRST_OF_MARCH, language, TODAY)
    return {
        "first": Fields("first", {"subject": "Proposal for potential collaboration", "date": day}),
        "meeting": Fields(
            "meeting",
            {
                "when": when(MEETING, language, TODAY),
                "date": long_date(MEETING, language, TODAY),
                "time": "10:00",
                "timezone": "Europe/Lisbon",
                "minutes": 60,
                "link": LINK,
                "location": None,
            },
        ),
        "agenda": "1. ...",
        "cancelled": cancelled,
        "updated": False,
        "every_months": 3,
        "kpis": kpis(language),
        "introducer": Fields("introducer", {"name": "Marta Silva", "email": "marta@firm.test"}),
        "target": Fields("target", {"organisation": PARTNER, "contact": "Rui Lopes", "fields": "training"}),
        "booking": Fields("booking", {"link": LINK, "until": day, "minutes": 45}),
        "outcome": Fields(
            "outcome",
            {
                "takeaways": ["Both sides want a training partnership"],
                "actions": [{"what": "Send the modules", "owner": PARTNER, "due": day}],
                "fields": "training",
                "ours": "Jana Weber",
                "theirs": "Ana Costa",
            },
        ),
    }


def rendered_all(settings, kind: str, cancelled: bool = False):
    renderer = Renderer()
    [partner] = settings.partners
    for contact in partner.contacts:
        mail = render_message(
            settings.settings, renderer, partner, contact, kind, lambda language: words(language, cancelled)
        )
        assert mail.written_in == contact.language
        yield contact.language, contact.register, mail


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_in_each_language_reads_as_a_native_writes(settings, kind):
    for language, register, mail in rendered_all(settings, kind):
        where = (kind, language, register)
        for text in (mail.subject, mail.text, mail.html):
            assert not re.search(r"(?<![.])\.\.(?![.])", text), (where, text)  # "Lda.." never
            assert "2027" not in text, (where, text)  # every date is in the reader's year
        assert len(re.findall(r"\S\s?:\s", re.sub(r"^(Re|RE|AW|Fwd?): ", "", mail.subject))) <= 1, where
        if language == "fr":
            _french(mail.subject + "\n" + mail.text, where)
            assert f"{NBSP}:" in mail.html or ":" not in mail.text.replace(LINK, "").replace("10:00", "")
        else:
            assert NBSP + ":" not in mail.text, where


def _french(text: str, where) -> None:
    """Before : ; ? ! a no-break space, never a plain space or none; times and links untouched."""
    outside = text.replace(LINK, "").replace("10:00", "").replace("vet@school.test", "")
    outside = outside.replace(f"{NBSP}: ? (", "")  # a KPI not reported yet: "?" is its value
    assert not re.search(r"[^\s\u00a0][:;?!](\s|$)", outside, re.M), (where, text)
    assert not re.search(r" [:;?!](\s|$)", outside, re.M), (where, text)
    assert LINK not in text or f"{LINK}" in text  # the link is whole
    assert "10:00" not in text or "10:00" in text.replace(NBSP, " ")


def test_cancelled_meetings_say_so_with_french_typography(settings):
    for language, _, mail in rendered_all(settings, "invitation", cancelled=True):
        if language == "fr":
            assert mail.subject.startswith(f"Annulé{NBSP}: Première réunion exploratoire – ")
            assert mail.subject.count(":") == 1  # one colon, not a chain of two


@pytest.mark.parametrize("kind", ["check_in", "check_in_invitation"])
def test_kpis_with_units_agreeing_and_the_first_of_the_month_as_natives_write_it(settings, kind):
    for language, register, mail in rendered_all(settings, kind):
        text = mail.text.replace(NBSP, " ")
        assert TARGET_5[language] in text, (kind, language, register, text)
        assert ("1 apprenti)" if language == "fr" else f"1 {UNITS[language].split('|')[0]})") in text, text
        assert FIRST_OF_MONTH.get(language, short_date(FIRST_OF_MARCH, language, TODAY)) in text
        if language == "fr":
            assert f"Apprentis accueillis{NBSP}: 1,5 (objectif{NBSP}: 5" in mail.text


def test_the_introduction_names_the_introducer_with_french_spacing(settings):
    for language, register, mail in rendered_all(settings, "introduction"):
        if language == "fr" and register == "formal":
            assert mail.subject == f"De la part de Marta Silva{NBSP}: proposition de collaboration"


# --- the one-pager and documents ---------------------------------------------------------


def test_only_the_first_contact_carries_the_one_pager_unless_a_step_asks(settings):
    campaign = settings.settings.model_copy(
        update={
            "sequence": [
                SequenceStep(name="follow-up-1", after_business_days=4),
                SequenceStep(name="follow-up-2", after_business_days=10, attach_one_pager=True),
            ]
        }
    )
    assert campaign.attaches_one_pager("first_contact", "first_contact")
    assert campaign.attaches_one_pager("introduction-7", "introduction")  # the first mail to a new person
    assert not campaign.attaches_one_pager("follow-up-1", "follow_up")
    assert campaign.attaches_one_pager("follow-up-2", "follow_up")
    for kind in ("closing", "later", "check_in", "next_steps", "booking"):
        assert not campaign.attaches_one_pager(kind, kind), kind
    off = campaign.model_copy(update={"message": campaign.message.model_copy(update={"attach_one_pager": False})})
    assert not off.attaches_one_pager("first_contact", "first_contact") and off.attaches_one_pager(
        "follow-up-2", "follow_up"
    )


@pytest.fixture
def sequence_settings(tmp_path):
    partner = {"name": PARTNER, "contacts": [{"name": "Ana Costa", "email": "ana@firm.test", "language": "de"}]}
    settings = campaign_settings(
        "one-pager",
        1,
        1,
        [partner],
        sequence=[
            {"name": "follow-up-1", "after_business_days": 2},
            {"name": "follow-up-2", "after_business_days": 4, "attach_one_pager": True},
        ],
    )
    return load_campaign(write_campaign(tmp_path, with_profiles(settings, ["de"])))


def test_the_closing_and_follow_ups_go_without_the_one_pager(uow, sequence_settings):
    start = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    campaigns.queue(uow.session, sequence_settings, Renderer(), start)
    uow.commit()
    outbox, clock = FakeOutbox(), Clock(start)
    while clock.now < start + timedelta(days=10):
        send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
        clock.now += timedelta(hours=2)
    attached = [[a.get_filename() for a in message.iter_attachments()] for message in outbox.sent]
    kurzprofil = ["Riverside Vocational College - Kurzprofil.pdf", "Riverside Vocational College - Kurzprofil.html"]
    assert attached == [kurzprofil, [], kurzprofil]  # first contact, follow-up 1, follow-up 2 (asks for it)


def test_a_closing_mail_built_as_a_step_builds_it_carries_no_one_pager(settings):
    [partner] = settings.partners
    contact = partner.contacts[0]
    renderer = Renderer()
    mail = render_message(settings.settings, renderer, partner, contact, "closing", lambda language: words(language))
    step_says = settings.settings.attaches_one_pager("closing", "closing")
    message = build_message(
        settings.settings, renderer, contact, mail, "<1@school.test>", datetime.now(UTC), one_pager=step_says
    )
    assert list(message.iter_attachments()) == []
    first = build_message(settings.settings, renderer, contact, mail, "<2@school.test>", datetime.now(UTC))
    assert [a.get_content_type() for a in first.iter_attachments()] == ["application/pdf", "text/html"]


def test_word_documents_declare_their_language():
    document = zipfile.ZipFile(io.BytesIO(as_docx("Absichtserklärung\n\nText", "MoU", "de-DE")))
    styles = document.read("word/styles.xml").decode()
    assert re.search(r'<w:docDefaults>.*<w:lang w:val="de-DE"', styles, re.S)
    assert "<dc:language>de-DE</dc:language>" in document.read("docProps/core.xml").decode()
