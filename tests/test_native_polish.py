"""What native readers of the rendered mail found (issue 22), as classes: Polish formal mail
addresses the reader as Pani/Pan/Państwo with verbs that agree, informal Polish opens with
"Cześć," and never names a contract; single slips in the other languages stay fixed."""

from __future__ import annotations

import email
from email.policy import default

import pytest

from outreach.rendering import elided
from tests.support.campaigns import campaign_settings, with_profiles, write_campaign

PEOPLE = {
    "fem": ("formal", {"name": "Anna Nowak", "salutation": "Pani", "title": "Prof."}),
    "male": ("formal", {"name": "Marek Kowalski", "salutation": "Pan"}),
    "unk": ("formal", {"name": "Kim Lee"}),
    "inf": ("informal", {"name": "Ana Example"}),
}


@pytest.fixture
def mails(cli_no_db, tmp_path):
    """Every kind of mail, by (language, key), as plain text."""
    partners = [
        {
            "name": f"Firma {language} {key}",
            "partnership_types": ["training", "innovation"],
            "focus_area": "apprenticeships",
            "contacts": [
                {**person, "email": f"{language}.{key}@firm.test", "language": language, "register": register}
            ],
        }
        for language in ("pl", "en", "es", "de", "nl")
        for key, (register, person) in PEOPLE.items()
    ]
    settings = with_profiles(campaign_settings("native", 1, 1, partners))
    settings["institution"]["contact"]["salutation"] = "Frau"
    settings["sequence"] = [{"name": "follow-up-1", "after_business_days": 5}]
    settings["meeting"] = {"booking": True, "workspace_url": "https://outreach.school.test"}
    result = cli_no_db("campaign", "preview", write_campaign(tmp_path, settings), "--out", tmp_path / "out", "--all")
    assert result.code == 0, result
    texts: dict[tuple[str, str], dict[str, str]] = {}
    for folder in (tmp_path / "out").iterdir():
        language, key = folder.name.split("@")[0].split(".")
        texts[language, key] = {
            path.stem: email.message_from_bytes(path.read_bytes(), policy=default)
            .get_body(("plain",))
            .get_content()
            .replace("\r\n", "\n")
            for path in folder.glob("*.eml")
        }
    return texts


AGREEING = {
    "fem": ["Czy byłaby Pani zainteresowana", "Czy znalazłaby Pani", "zaprosić Panią", "Pani odpowiedź"],
    "male": ["Czy byłby Pan zainteresowany", "Czy znalazłby Pan", "zaprosić Pana", "Pana odpowiedź"],
    "unk": ["Czy byliby Państwo zainteresowani", "Czy znaleźliby Państwo", "zaprosić Państwa", "Państwa odpowiedź"],
}


def test_polish_formal_mail_addresses_the_reader_with_agreeing_verbs(mails):
    for key, phrases in AGREEING.items():
        whole = "\n".join(mails["pl", key].values())
        for phrase in phrases:
            assert phrase in whole, (key, phrase)
        assert "byłaby możliwa" not in whole and "byłoby możliwe" not in whole, key
        assert "ten kontakt" not in whole and "Pani/" not in whole and "/Pan" not in whole
        assert "z poziomu kalendarza" not in whole
    assert "Wskazano nam Panią jako właściwą osobę" in mails["pl", "fem"]["06-introduction"]
    assert "Wskazano nam Państwa jako właściwe osoby" in mails["pl", "unk"]["06-introduction"]
    assert "Będę bardzo wdzięczna za pomoc." in mails["pl", "fem"]["07-introduction-request"]  # the sender, Frau


def test_informal_polish_opens_with_czesc_and_names_no_contract(mails):
    for kind, text in mails["pl", "inf"].items():
        assert text.lstrip().startswith("Cześć,\n"), kind
        assert "zgodnie z umową" not in text, kind
    assert "zgodnie z ustaleniami" in mails["pl", "inf"]["03-later"]


def test_single_slips_stay_fixed(mails):
    english = "\n".join(mails["en", "inf"].values())
    assert "or something innovative" not in english and "for your side" not in english
    assert "proponla desde tu calendario" in mails["es", "inf"]["09-invitation"]
    assert "propónla" not in "\n".join(mails["es", "inf"].values())
    assert "nach oben" not in mails["de", "inf"]["02-follow-up-1"]
    invitation = mails["nl", "inf"]["09-invitation"]
    assert (
        "? woensdag" not in invitation and "Ik stel een eerste gesprek over samenwerken voor op woensdag" in invitation
    )


def test_french_de_elides_before_a_vowel_or_h():
    assert elided("Élodie Martin") == "d'Élodie Martin"
    assert elided("Hélène Roy") == "d'Hélène Roy"
    assert elided("Yves Petit") == "d'Yves Petit"
    assert elided("Jean Dupont") == "de Jean Dupont"
