"""`campaign preview --all` (issue 22): every kind of message the campaign can send, to each
contact, through the code that sends them, on a scratch logbook; the real one is untouched and
nothing is sent. Sixteen contacts: eight languages, formal and informal."""

from __future__ import annotations

import email
import re
from email.policy import default

import icalendar

from tests.support.campaigns import campaign_settings, with_profiles, write_campaign
from tests.test_languages import partners

KINDS = [
    "01-first-contact",
    "02-follow-up-1",
    "03-later",
    "04-closing",
    "05-booking",
    "06-introduction",
    "07-introduction-request",
    "08-check-in",
    "09-invitation",
    "10-update",
    "11-next-steps",
    "12-cancellation",
]


def test_every_kind_for_every_contact_in_their_language(cli_no_db, tmp_path):
    settings = with_profiles(campaign_settings("languages", 1, 1, list(partners())))
    settings["sequence"] = [{"name": "follow-up-1", "after_business_days": 5}]
    settings["meeting"] = {"booking": True, "workspace_url": "https://outreach.school.test"}
    result = cli_no_db("campaign", "preview", write_campaign(tmp_path, settings), "--out", tmp_path / "out", "--all")
    assert result.code == 0, result
    assert "nothing was sent" in result.out and "not written" not in result.out
    folders = sorted((tmp_path / "out").iterdir())
    assert len(folders) == 16
    for folder in folders:
        language = folder.name.split(".")[0]
        assert sorted(p.stem for p in folder.glob("*.eml")) == KINDS, folder.name
        for kind in ("09-invitation", "10-update", "12-cancellation"):
            calendar = icalendar.Calendar.from_ical((folder / f"{kind}.ics").read_bytes())
            assert str(calendar["METHOD"]) == ("CANCEL" if kind == "12-cancellation" else "REQUEST")
        for path in folder.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            text = message.get_body(("plain",)).get_content()
            assert "Europe/" not in text and "America/" not in text, (folder.name, path.name)  # places, not ids
            assert str(message["To"].addresses[0].addr_spec) == folder.name
        booking = email.message_from_bytes((folder / "05-booking.eml").read_bytes(), policy=default)
        assert "https://outreach.school.test/book/" in booking.get_body(("plain",)).get_content(), language
    assert not (tmp_path / "untouched.db").exists()  # the real logbook was never opened


POSITIONS = {
    "de": "Referentin für Partnerschaften",
    "fr": "Chargée de partenariats",
    "es": "Responsable de alianzas",
    "it": "Responsabile dei partenariati",
    "nl": "Partnerschapscoördinator",
    "pl": "Specjalistka ds. partnerstw",
    "pt": "Responsável por parcerias",
}


def test_the_senders_position_in_the_mails_language_everywhere_it_stands(cli_no_db, tmp_path):
    """Signature, one-pager: the position as each language names it, never the English one."""
    settings = with_profiles(campaign_settings("languages", 1, 1, list(partners())))
    settings["institution"]["contact"]["salutation"] = "Frau"
    for language, position in POSITIONS.items():
        settings["institution"]["translations"][language]["position"] = position
    result = cli_no_db("campaign", "preview", write_campaign(tmp_path, settings), "--out", tmp_path / "out")
    assert result.code == 0, result
    for path in (tmp_path / "out").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        language, register = str(message["To"].addresses[0].addr_spec).split("@")[0].split(".")
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        [one_pager] = [a.get_content() for a in message.iter_attachments() if a.get_content_type() == "text/html"]
        if language == "en":
            continue
        assert "Partnership Officer" not in text + one_pager, (language, register)
        assert POSITIONS[language] in one_pager
        if register == "formal":
            assert f"\n{POSITIONS[language]}\n" in text, (language, text[-300:])


def _texts(folder) -> dict[str, str]:
    return {
        path.stem: email.message_from_bytes(path.read_bytes(), policy=default)
        .get_body(("plain",))
        .get_content()
        .replace("\r\n", "\n")
        for path in folder.glob("*.eml")
    }


def _gender_campaign(tmp_path, sender_salutation):
    people = [
        ("pt", "formal", {"name": "Ana Costa", "salutation": "Sra.", "title": "Dra.", "family_name": "Costa"}, "ana"),
        ("pt", "formal", {"name": "Rui Lopes", "salutation": "Sr.", "family_name": "Lopes"}, "rui"),
        ("pt", "formal", {"name": "Kim Lee"}, "kim"),
        ("pt", "informal", {"name": "Inês Sousa", "salutation": "Sra."}, "ines"),
        ("fr", "informal", {"name": "Élodie Martin"}, "elodie"),
    ]
    partners = [
        {
            "name": f"Empresa {key}",
            "partnership_types": ["training"],
            "focus_area": "formation en alternance",
            "contacts": [{**person, "email": f"{key}@firm.test", "language": language, "register": register}],
        }
        for language, register, person, key in people
    ]
    settings = with_profiles(campaign_settings(f"gender-{(sender_salutation or 'none').lower()}", 1, 1, partners))
    settings["sequence"] = [{"name": "follow-up-1", "after_business_days": 5}]
    if sender_salutation:
        settings["institution"]["contact"]["salutation"] = sender_salutation
    return write_campaign(tmp_path, settings)


def test_sender_and_recipient_agree_as_people_never_as_slash_forms(cli_no_db, tmp_path):
    """A woman writes: "Obrigada", "intéressée", "Désolée"; to a woman: "contactá-la", «Não,
    obrigada»; to someone whose gender is not known, a construction that needs none."""
    result = cli_no_db("campaign", "preview", _gender_campaign(tmp_path, "Frau"), "--out", tmp_path / "out", "--all")
    assert result.code == 0, result
    ana, rui, kim = (_texts(tmp_path / "out" / f"{key}@firm.test") for key in ("ana", "rui", "kim"))
    ines, elodie = _texts(tmp_path / "out" / "ines@firm.test"), _texts(tmp_path / "out" / "elodie@firm.test")
    assert "Volto a contactá-la" in ana["02-follow-up-1"] and "«Não, obrigada»" in ana["02-follow-up-1"]
    assert "Volto a contactá-lo" in rui["02-follow-up-1"] and "«Não, obrigado»" in rui["02-follow-up-1"]
    assert "Volto a entrar em contacto consigo" in kim["02-follow-up-1"]
    assert "«Não, de momento não»" in kim["01-first-contact"] and kim["01-first-contact"].startswith(
        "Bom dia, Kim Lee,"
    )
    assert "Obrigada pela resposta" in ines["04-closing"]
    assert "(ambas as partes)" in ines["10-next-steps"]  # an action both sides own, in their words
    assert "m'a particulièrement intéressée" in elodie["01-first-contact"]
    assert "Désolée, notre réunion" in elodie["11-cancellation"]
    for texts in (ana, rui, kim, ines, elodie):
        for kind, text in texts.items():
            assert not re.search(r"\w/a\b|\(a\)|/e\b", text), (kind, text)

    neutral = tmp_path / "neutral"
    neutral.mkdir()
    result = cli_no_db("campaign", "preview", _gender_campaign(neutral, None), "--out", neutral / "out", "--all")
    assert result.code == 0, result
    ines, elodie = _texts(neutral / "out" / "ines@firm.test"), _texts(neutral / "out" / "elodie@firm.test")
    assert "Agradeço a resposta" in ines["04-closing"] and "Obrigad" not in ines["04-closing"]
    assert "a retenu toute mon attention" in elodie["01-first-contact"]
    assert "Mauvaise nouvelle\xa0: notre réunion" in elodie["11-cancellation"]
