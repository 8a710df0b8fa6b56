"""Eight languages for first contact, follow-up and the "later" mail: a campaign with a formal
and an informal contact per language previews 16 messages, each in its language with its own
opening and partnership types; a contact in a language without templates is named."""

from __future__ import annotations

import email
from email.policy import default

import pytest

from tests.support.campaigns import campaign_settings, write_campaign

OPENINGS = {
    ("en", "formal"): "Dear Ana Example,", ("en", "informal"): "Hi Ana,",
    ("de", "formal"): "Guten Tag Ana Example,", ("de", "informal"): "Hallo Ana,",
    ("fr", "formal"): "Bonjour Ana Example,", ("fr", "informal"): "Salut Ana,",
    ("es", "formal"): "Estimado/a Ana Example:", ("es", "informal"): "Hola, Ana:",
    ("it", "formal"): "Gentile Ana Example,", ("it", "informal"): "Ciao Ana,",
    ("nl", "formal"): "Geachte Ana Example,", ("nl", "informal"): "Hoi Ana,",
    ("pl", "formal"): "Szanowni Państwo,", ("pl", "informal"): "Cześć Ana,",
    ("pt", "formal"): "Exmo.(a) Sr.(a) Ana Example,", ("pt", "informal"): "Olá Ana,",
}
FIELDS = {"en": "training and mobility", "de": "Aus- und Weiterbildung und Mobilität", "fr": "formation et mobilité",
          "es": "formación y movilidad", "it": "formazione e mobilità", "nl": "opleiding en mobiliteit",
          "pl": "kształcenie i mobilność", "pt": "formação e mobilidade"}
ENGLISH = ("Dear ", "Best regards", "Looking forward", "I hope this message", "partnership")


def contacts():
    for language in ("en", "de", "fr", "es", "it", "nl", "pl", "pt"):
        for register in ("formal", "informal"):
            yield language, register


def test_sixteen_messages_each_in_its_language(cli_no_db, tmp_path):
    partners = [{"name": f"Firma {language} {register}", "partnership_types": ["training", "mobility"],
                 "contacts": [{"name": "Ana Example", "email": f"{language}.{register}@firm.test",
                               "language": language, "register": register}]}
                for language, register in contacts()]
    path = write_campaign(tmp_path, campaign_settings("languages", 1, 1, partners))
    result = cli_no_db("campaign", "preview", path, "--out", tmp_path / "out")
    assert result.code == 0, result
    assert "note:" not in result.out  # every language has its templates
    files = sorted((tmp_path / "out").glob("*.eml"))
    assert len(files) == 16
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        to = str(message["To"].addresses[0].addr_spec)
        language, register = to.split("@")[0].split(".")
        text = message.get_body(("plain",)).get_content()
        opening = OPENINGS[(language, register)]
        if (language, register) == ("fr", "informal"):
            opening = "Bonjour Ana,"
        assert text.lstrip().startswith(opening), (language, register, text[:80])
        assert FIELDS[language] in text or register == "informal" and language in ("en",), (language, text)
        if language != "en":
            assert not any(word in text for word in ENGLISH), (language, register, text)


@pytest.mark.parametrize("language", ["cs"])
def test_a_language_without_templates_is_named_with_what_it_gets(cli_no_db, tmp_path, language):
    partners = [{"name": "Firma", "partnership_types": ["training"],
                 "contacts": [{"name": "Jana Novák", "email": "jana@firma.test", "language": language}]}]
    path = write_campaign(tmp_path, campaign_settings("czech", 1, 1, partners))
    result = cli_no_db("campaign", "validate", path)
    assert result.code == 0
    assert f"no first_contact template in {language}; they will get en (first_contact/formal.en.j2)" in result.out
