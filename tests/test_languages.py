"""Eight languages for everything we send. A campaign with a formal and an informal contact
per language previews 16 messages, each wholly in its language: the opening a native writer
would use (salutation, title, family name), the partnership types, the one-pager; the
meeting invitation and its agenda follow the contact; a language we lack is named."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.policy import default

import icalendar
import pytest

from outreach.domain.language import LANGUAGES, Person, greeting
from outreach.domain.vocabulary import Salutation
from tests.support.campaigns import campaign_settings, with_profiles, write_campaign

# Formal contacts: one person per language with salutation (and a title where it shows).
PEOPLE = {
    "en": ({"name": "Jane Smith", "salutation": "Ms"}, "Dear Ms Smith,"),
    "de": ({"name": "Eva Müller", "salutation": "Frau", "title": "Dr."}, "Sehr geehrte Frau Dr. Müller,"),
    "fr": ({"name": "Claire Martin", "salutation": "Mme"}, "Madame,"),
    "es": ({"name": "Lucía García", "salutation": "Sra."}, "Estimada Sra. García:"),
    "it": ({"name": "Giulia Rossi", "salutation": "Sig.ra", "title": "Dott.ssa"}, "Gentile Dott.ssa Rossi,"),
    "nl": ({"name": "Sanne de Vries", "salutation": "mevrouw", "family_name": "de Vries"}, "Geachte mevrouw De Vries,"),
    "pl": ({"name": "Anna Nowak", "salutation": "Pani"}, "Szanowna Pani,"),
    "pt": ({"name": "Ana Costa", "salutation": "Sra.", "title": "Dra."}, "Exma. Sra. Dra. Costa,"),
}
INFORMAL = {
    "en": "Hi Ana,",
    "de": "Hallo Ana,",
    "fr": "Bonjour Ana,",
    "es": "Hola, Ana:",
    "it": "Ciao Ana,",
    "nl": "Beste Ana,",
    "pl": "Cześć,",
    "pt": "Olá, Ana,",
}
FIELDS = {
    "en": "training and mobility",
    "de": "Aus- und Weiterbildung und Mobilität",
    "fr": "formation et mobilité",
    "es": "formación y movilidad",
    "it": "formazione e mobilità",
    "nl": "opleiding en mobiliteit",
    "pl": "kształcenie i mobilność",
    "pt": "formação e mobilidade",
}
ONE_PAGER = {
    "en": "Who we are",
    "de": "Wer wir sind",
    "fr": "Qui sommes-nous\u00a0?",
    "es": "Quiénes somos",
    "it": "Chi siamo",
    "nl": "Wie wij zijn",
    "pl": "Kim jesteśmy",
    "pt": "Quem somos",
}
ONE_PAGER_NAME = {
    "en": "one-pager",
    "de": "Kurzprofil",
    "fr": "présentation",
    "es": "presentación",
    "it": "presentazione",
    "nl": "profiel",
    "pl": "prezentacja",
    "pt": "apresentação",
}
LANGUAGE_TAGS = dict(en="en-GB", de="de-DE", fr="fr-FR", es="es-ES", it="it-IT", nl="nl-NL", pl="pl-PL", pt="pt-PT")
ENGLISH = (
    "Dear ",
    "Best regards",
    "Looking forward",
    "I hope this message",
    "partnership",
    "Who we are",
    "Host companies",
    "Experienced team",
    "Hamburg,",
)


def partners():
    for language in LANGUAGES:
        person, _ = PEOPLE[language]
        yield {
            "name": f"Firma {language} formal",
            "partnership_types": ["training", "mobility"],
            "personal_note": f"[{language}: a sentence for this partner alone]",
            "contacts": [
                {**person, "email": f"{language}.formal@firm.test", "language": language, "register": "formal"}
            ],
        }
        yield {
            "name": f"Firma {language} informal",
            "partnership_types": ["training", "mobility"],
            "focus_area": "—",
            "contacts": [
                {
                    "name": "Ana Example",
                    "email": f"{language}.informal@firm.test",
                    "language": language,
                    "register": "informal",
                }
            ],
        }


def test_sixteen_messages_each_wholly_in_its_language(cli_no_db, tmp_path):
    path = write_campaign(tmp_path, with_profiles(campaign_settings("languages", 1, 1, list(partners()))))
    result = cli_no_db("campaign", "preview", path, "--out", tmp_path / "out")
    assert result.code == 0, result
    assert "note:" not in result.out  # every language has its templates and its profile
    files = sorted((tmp_path / "out").glob("*.eml"))
    assert len(files) == 16
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        language, register = str(message["To"].addresses[0].addr_spec).split("@")[0].split(".")
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        opening = PEOPLE[language][1] if register == "formal" else INFORMAL[language]
        assert text.lstrip().startswith(opening + "\n"), (language, register, text[:80])
        pdf, html = message.iter_attachments()
        assert pdf.get_filename() == f"Riverside Vocational College - {ONE_PAGER_NAME[language]}.pdf"
        assert html.get_filename() == f"Riverside Vocational College - {ONE_PAGER_NAME[language]}.html"
        assert f"/Lang ({LANGUAGE_TAGS[language]})".encode() in pdf.get_content()
        one_pager = html.get_content()
        assert f"<h2>{ONE_PAGER[language]}</h2>" in one_pager and f'lang="{language}"' in one_pager
        if register == "formal":
            assert FIELDS[language] in text and f"Firma {language} formal" in text, (language, text)
            colon = "\u00a0:" if language == "fr" else ":"  # French: a no-break space before the colon
            assert f"\n[{language}{colon} a sentence for this partner alone]\n" in text
        else:
            assert "—" in text  # the focus area
        if language != "en":
            assert not any(word in text + one_pager for word in ENGLISH), (language, register, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_neutral_formal_openings_where_the_salutation_is_unknown(language):
    named = greeting(language, True, Person("Kim Lee"))
    nobody = greeting(language, True, Person())
    expected = {
        "en": ("Dear Kim Lee,", "Dear Sir or Madam,"),
        "de": ("Guten Tag Kim Lee,", "Sehr geehrte Damen und Herren,"),
        "fr": ("Madame, Monsieur,", "Madame, Monsieur,"),
        "es": ("Buenos días, Kim Lee:", "Estimados señores:"),
        "it": ("Gentile Kim Lee,", "Gentili Signore e Signori,"),
        "nl": ("Geachte Kim Lee,", "Geachte heer, mevrouw,"),
        "pl": ("Szanowni Państwo,", "Szanowni Państwo,"),
        "pt": ("Bom dia, Kim Lee,", "Exmos. Senhores,"),
    }
    assert (named, nobody) == expected[language]


def test_titles_and_salutations_as_each_language_writes_them():
    doctor = Person("Jürgen Müller", Salutation.parse("Herr"), "Dr.", None)
    professor = Person("Marie Dubois", Salutation.parse("Mme"), "Prof.", None)
    assert greeting("de", True, doctor) == "Sehr geehrter Herr Dr. Müller,"
    assert greeting("pl", True, doctor) == "Szanowny Panie Doktorze,"
    assert greeting("es", True, doctor) == "Estimado Dr. Müller:"
    assert greeting("it", True, doctor) == "Gentile Dott. Müller,"
    assert greeting("fr", True, professor) == "Madame la Professeure,"
    assert greeting("pl", True, professor) == "Szanowna Pani Profesor,"
    assert greeting("en", True, professor) == "Dear Professor Dubois,"
    assert [Salutation.parse(word) for word in ("Frau", "Sig.ra", "Pani", "Exma. Sra.", "mevrouw", "Señora")] == [
        Salutation.FEMALE
    ] * 6
    assert [Salutation.parse(word) for word in ("Herr", "M.", "Pan", "de heer", "Sr.", "Mr")] == [Salutation.MALE] * 6
    with pytest.raises(ValueError, match="not a salutation we know"):
        Salutation.parse("Excellency")


def test_a_language_without_templates_or_profile_is_named_with_what_it_gets(cli_no_db, tmp_path):
    partners = [
        {
            "name": "Firma",
            "partnership_types": ["training"],
            "contacts": [{"name": "Jana Novák", "email": "jana@firma.test", "language": "cs"}],
        },
        {"name": "Empresa", "contacts": [{"name": "Lucía García", "email": "lucia@empresa.test", "language": "es"}]},
    ]
    path = write_campaign(tmp_path, with_profiles(campaign_settings("czech", 1, 1, partners), ["de"]))
    result = cli_no_db("campaign", "validate", path)
    assert result.code == 0
    assert (
        "contact jana@firma.test: no first_contact template in cs; they will get en (first_contact/formal.en.j2)"
        in result.out
    )
    assert (
        "contact lucia@empresa.test: the institution profile has no es text (add institution.translations.es); "
        "their one-pager will be in en" in result.out
    )


def test_the_meeting_invitation_and_agenda_speak_the_contacts_language(cli, tmp_path):
    partners = [
        {
            "name": "Nordhafen Logistik GmbH",
            "partnership_types": ["training"],
            "contacts": [
                {
                    "name": "Eva Müller",
                    "salutation": "Frau",
                    "title": "Dr.",
                    "email": "eva@nordhafen.test",
                    "language": "de",
                    "register": "formal",
                }
            ],
        }
    ]
    path = write_campaign(tmp_path, with_profiles(campaign_settings("meeting-de", 1, 1, partners), ["de"]))
    assert cli("campaign", "queue", path).code == 0
    at = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%dT10:00")
    result = cli("meeting", "invite", "eva@nordhafen.test", "--at", at, "--dry-run", "--out", tmp_path / "invite")
    assert result.code == 0, result
    [eml] = (tmp_path / "invite").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert (
        message["Subject"]
        == "Einladung: Erstes Sondierungsgespräch – Riverside Vocational College und Nordhafen Logistik GmbH"
    )
    assert text.startswith("Sehr geehrte Frau Dr. Müller,\n")
    for words in (
        "TAGESORDNUNG",
        "1. Begrüßung und Vorstellungsrunde (5–10 Minuten)",
        "5. Nächste Schritte (5–10 Minuten)",
        "um 10:00 Uhr",
        "Minuten",
    ):
        assert words in text, words
    assert not any(word in text for word in ("Welcome", "Agenda", "minutes", "Best regards"))
    [ics] = (tmp_path / "invite").glob("*.ics")
    event = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]).startswith("Erstes Sondierungsgespräch")
    assert "Vorstellung: Nordhafen Logistik GmbH" in str(event["DESCRIPTION"])


def test_the_mou_is_drafted_in_the_partners_language_with_a_proper_duration(cli, tmp_path):
    partners = [
        {
            "name": "Nordhafen Logistik GmbH",
            "partnership_types": ["training", "mobility"],
            "contacts": [{"name": "Eva Müller", "email": "eva@nordhafen.test", "language": "de"}],
        }
    ]
    path = write_campaign(tmp_path, campaign_settings("mou-de", 1, 1, partners))
    assert cli("campaign", "queue", path).code == 0
    mou = tmp_path / "mou.md"
    moved = cli(
        "partners",
        "advance",
        "eva@nordhafen.test",
        "collaboration_setup",
        "--reason",
        "agreed",
        "--mou",
        mou,
        "--valid-from",
        "2027-04-01",
    )
    assert moved.code == 0, moved
    text = mou.read_text()
    assert text.startswith("ABSICHTSERKLÄRUNG")
    assert "in folgenden Bereichen zusammenzuarbeiten: Aus- und Weiterbildung und Mobilität." in text
    assert "- Austausch von Personal und Lernenden" in text
    assert "gilt ab dem 1. April 2027 auf unbestimmte Zeit, bis eine der Parteien sie schriftlich beendet." in text
    assert "open-ended" not in text and "Between" not in text


def test_a_german_spreadsheet_imports_with_its_own_headings(cli, tmp_path):
    sheet = tmp_path / "partner.csv"
    sheet.write_text(
        "Firma;Land;Anrede;Titel;Vorname Nachname;Nachname;E-Mail-Adresse;Funktion;Sprache;Schwerpunkt;"
        "Persönliche Notiz\n"
        "Nordhafen Logistik GmbH;DE;Frau;Dr.;Eva Müller;Müller;eva@nordhafen.test;Ausbildungsleitung;de;Lagerlogistik;"
        "Wir haben uns auf der Messe in Bremen kennengelernt.\n",
        encoding="utf-8",
    )
    # a heading the logbook does not know is kept with the partner, under its own name
    kept = cli("partners", "import", sheet, "--dry-run")
    assert kept.code == 0, kept
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("Vorname Nachname", "Ansprechpartner"), encoding="utf-8")
    imported = cli("partners", "import", sheet)
    assert imported.code == 0, imported
    exported = tmp_path / "export.csv"
    assert cli("partners", "export", exported).code == 0
    text = exported.read_text(encoding="utf-8-sig")
    for value in (
        "female",
        "Dr.",
        "Müller",
        "Eva Müller",
        "Ausbildungsleitung",
        "Lagerlogistik",
        "Wir haben uns auf der Messe in Bremen kennengelernt.",
    ):
        assert value in text, value
