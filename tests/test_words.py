"""Numbers, units, ordinals, dates and typography as a native reader expects them (issue 22):
the helpers alone, each language's rule on plain values."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from outreach.domain.language import (
    LANGUAGES,
    language_tag,
    long_date,
    plural_categories,
    plural_category,
    short_date,
    unit_forms,
    units,
    when,
)
from outreach.rendering import french_spacing, italian_elision, polished, polished_html, single_full_stop

NBSP = "\u00a0"
FIRST_OF_MARCH = date(2027, 3, 1)


@pytest.mark.parametrize(
    ("language", "forms", "expected"),
    [
        ("de", "Auszubildender|Auszubildende", {1: "Auszubildender", 1.5: "Auszubildende", 4: "Auszubildende"}),
        ("en", "apprentice|apprentices", {1: "apprentice", 1.5: "apprentices", 4: "apprentices"}),
        ("fr", "apprenti|apprentis", {1: "apprenti", 1.5: "apprenti", 4: "apprentis"}),  # French: 1,5 is singular
        ("it", "apprendista|apprendisti", {1: "apprendista", 1.5: "apprendisti", 4: "apprendisti"}),
        ("es", "aprendiz|aprendices", {1: "aprendiz", 1.5: "aprendices", 4: "aprendices"}),
        ("nl", "leerling|leerlingen", {1: "leerling", 1.5: "leerlingen", 4: "leerlingen"}),
        ("pt", "aprendiz|aprendizes", {1: "aprendiz", 1.5: "aprendizes", 4: "aprendizes"}),  # European rules
        (
            "pl",
            "praktykant|praktykanci|praktykantów|praktykanta",
            {1: "praktykant", 1.5: "praktykanta", 4: "praktykanci", 5: "praktykantów", 22: "praktykanci"},
        ),
    ],
)
def test_units_agree_with_the_number_by_cldr_plural_rules(language, forms, expected):
    for value, word in expected.items():
        assert units(value, language, forms).split(NBSP)[1] == word, (language, value)


def test_units_write_the_number_as_the_language_does_and_keep_it_with_its_unit():
    assert units(1.5, "de", "Auszubildender|Auszubildende") == f"1,5{NBSP}Auszubildende"
    assert units(4.0, "en", "apprentice|apprentices") == f"4{NBSP}apprentices"  # 4.0 is written and counted as 4
    assert units(1.0, "en", "apprentice|apprentices") == f"1{NBSP}apprentice"
    assert units(3, "de", "Betriebe") == f"3{NBSP}Betriebe"  # a unit written once serves every number
    assert units(1, "pl", {"one": "firma", "few": "firmy", "many": "firm", "other": "firmy"}) == f"1{NBSP}firma"


def test_unit_forms_follow_the_languages_categories_with_other_last():
    assert plural_categories("en") == ("one", "other")
    assert plural_categories("pl") == ("one", "few", "many", "other")
    assert unit_forms("apprenti|apprentis", "fr") == {"one": "apprenti", "other": "apprentis"}
    assert plural_category(5, "pl") == "many" and plural_category(1.5, "fr") == "one"


def test_the_first_of_the_month_is_an_ordinal_where_the_language_writes_one():
    assert short_date(FIRST_OF_MARCH, "fr") == "1er mars 2027"
    assert long_date(FIRST_OF_MARCH, "fr") == "lundi 1er mars 2027"
    assert short_date(FIRST_OF_MARCH, "it") == "1º marzo 2027"
    assert short_date(FIRST_OF_MARCH, "pt-br") == "1º de março de 2027"
    assert short_date(FIRST_OF_MARCH, "pt") == "1 de março de 2027"
    assert short_date(FIRST_OF_MARCH, "es") == "1 de marzo de 2027"
    assert short_date(FIRST_OF_MARCH, "de") == "1. März 2027"
    assert short_date(date(2027, 3, 2), "fr") == "2 mars 2027" and short_date(date(2027, 3, 11), "fr") == "11 mars 2027"


@pytest.mark.parametrize(
    ("language", "this_year", "long"),
    [
        ("en", "1 March", "Monday, 1 March"),
        ("de", "1. März", "Montag, 1. März"),
        ("fr", "1er mars", "lundi 1er mars"),
        ("es", "1 de marzo", "lunes, 1 de marzo"),
        ("it", "1º marzo", "lunedì 1º marzo"),
        ("nl", "1 maart", "maandag 1 maart"),
        ("pl", "1 marca", "poniedziałek, 1 marca"),
        ("pt", "1 de março", "segunda-feira, 1 de março"),
    ],
)
def test_a_date_in_the_current_year_goes_without_its_year(language, this_year, long):
    january = date(2027, 1, 10)
    assert short_date(FIRST_OF_MARCH, language, today=january) == this_year
    assert long_date(FIRST_OF_MARCH, language, today=january) == long
    assert when(datetime(2027, 3, 1, 10, 0), language, today=january).startswith(long + ", ")
    # A date in another year keeps it: next January seen from December, last December from January.
    assert "2027" in short_date(date(2027, 1, 14), language, today=date(2026, 12, 15))
    assert "2026" in short_date(date(2026, 12, 14), language, today=january)
    assert "2027" in short_date(FIRST_OF_MARCH, language)  # nobody said which day it is: the year stays


def test_documents_name_their_language_with_a_region():
    assert [language_tag(language) for language in LANGUAGES] == [
        "en-GB",
        "de-DE",
        "fr-FR",
        "es-ES",
        "it-IT",
        "nl-NL",
        "pl-PL",
        "pt-PT",
    ]
    assert language_tag("de-at") == "de-AT" and language_tag("pt_BR") == "pt-BR"


@pytest.mark.parametrize(
    ("written", "french"),
    [
        ("Apprentis accueillis: 1,5", f"Apprentis accueillis{NBSP}: 1,5"),
        ("Signataire:", f"Signataire{NBSP}:"),
        ("Annulé: Point régulier", f"Annulé{NBSP}: Point régulier"),
        ("Qui sommes-nous ?", f"Qui sommes-nous{NBSP}?"),
        ("Vraiment ?! Oui; non!", f"Vraiment{NBSP}?! Oui{NBSP}; non{NBSP}!"),
        ("« bonjour »", f"«{NBSP}bonjour{NBSP}»"),
        ("(voir: ici)", f"(voir{NBSP}: ici)"),
    ],
)
def test_french_puts_a_no_break_space_before_double_marks_and_inside_guillemets(written, french):
    assert french_spacing(written) == french
    assert french_spacing(french) == french  # once is enough: polishing twice changes nothing


def test_french_spacing_never_touches_times_addresses_or_links():
    untouched = "à 10:00 (UTC+01:00), https://riverside.test/rdv?jour=1&h=10 mailto:jana@school.test ftp://x.test"
    assert french_spacing(untouched) == untouched


def test_a_name_ending_in_a_full_stop_takes_no_second_one():
    assert single_full_stop("Logística Atlântica, Lda..") == "Logística Atlântica, Lda."
    assert single_full_stop("Acme Inc.. Next") == "Acme Inc. Next"
    assert single_full_stop("Wait... and see.") == "Wait... and see."
    assert single_full_stop("see ../notes and v1..v2") == "see ../notes and v1..v2"


def test_polishing_follows_the_language_and_leaves_markup_alone():
    assert polished("Objet: x", "de") == "Objet: x"
    assert polished("Objet: x", "fr-ca") == f"Objet{NBSP}: x"
    page = '<style>p { color: red; }</style><h2>Contact: ici</h2><p>R&amp;D; Lda..</p><a href="https://x.test/?a=1">'
    assert polished_html(page, "fr") == (
        f'<style>p {{ color: red; }}</style><h2>Contact{NBSP}: ici</h2><p>R&amp;D{NBSP}; Lda.</p><a href="https://x.test/?a=1">'
    )


def test_italian_elides_the_article_before_eight_and_eleven():
    assert italian_elision("entro il 8 marzo, del 11 aprile, fino al 8 maggio") == (
        "entro l'8 marzo, dell'11 aprile, fino all'8 maggio"
    )
    assert (
        italian_elision("Il 11 giugno; entro il 1º marzo; il 18 luglio")
        == "L'11 giugno; entro il 1º marzo; il 18 luglio"
    )
    assert polished("entro il 8 marzo", "it") == "entro l'8 marzo" and polished("il 8", "es") == "il 8"
