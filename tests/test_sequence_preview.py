"""`campaign preview --all` (issue 22): every kind of message the campaign can send, to each
contact, through the code that sends them, on a scratch logbook; the real one is untouched and
nothing is sent. Sixteen contacts: eight languages, formal and informal."""

from __future__ import annotations

import email
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
