"""The reply reader's parts, pure (no services): who a hand-over names and how to greet them,
the time a "not now" means (and an absence that is not one), confidence, acts and evidence,
the exact rules, the labelled files' errors, the model kept on disk, the command line."""

from __future__ import annotations

import json
from datetime import date

import pytest

from outreach.errors import InvalidInput
from outreach.inbound.intent import Intent, IntentKind, LabelledReply, intent_of, train
from outreach.inbound.intent.labels import load, parse, shipped
from outreach.inbound.intent.language import detect
from outreach.inbound.intent.people import people
from outreach.inbound.intent.text import body, fold
from outreach.inbound.intent.when import until_of

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    "language, text, name, salutation",
    [
        (
            "de",
            "Bitte wenden Sie sich an meine Kollegin Sabine Hoffmann, sie betreut die Praktika.",
            "Sabine Hoffmann",
            "female",
        ),
        ("fr", "Voyez avec ma collègue Mme Leroy, c'est elle qui gère les stages.", "Leroy", "female"),
        ("it", "Si rivolga alla mia collega dott.ssa Bianchi dell'ufficio personale.", "Bianchi", "female"),
        ("es", "Escriba a mi compañera Ana Ruiz, que lleva las prácticas.", "Ana Ruiz", "female"),
        ("pl", "Tym zajmuje się moja koleżanka Pani Nowak z kadr.", "Nowak", "female"),
        ("nl", "Neem contact op met mijn collega mevrouw de Vries van HR.", "de Vries", "female"),
        ("pt", "Fale com a minha colega Dra. Sousa, dos Recursos Humanos.", "Sousa", "female"),
        ("en", "Please contact my colleague Mr. Brown in HR.", "Brown", "male"),
        ("en", "Please contact my colleague Rachel Evans, who leads on placements.", "Rachel Evans", "none"),
        (
            "de",
            "Das macht bei uns Thomas Hartmann aus der Produktion. Melden Sie sich bei ihm.",
            "Thomas Hartmann",
            "male",
        ),
        ("es", "Eso lo lleva D. Jorge Lamas, el técnico responsable.", "Jorge Lamas", "male"),
        ("pt", "Os estágios são acompanhados pela D. Fernanda Costa.", "Fernanda Costa", "female"),
        ("nl", "Mail naar dhr. van der Berg, hij regelt de stages.", "van der Berg", "male"),
    ],
)
def test_a_hand_over_gives_the_name_and_salutation_never_the_word_for_colleague(language, text, name, salutation):
    found = people(text, language)[0]
    assert (found.name, found.salutation) == (name, salutation)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Proszę o kontakt z Panem Tomaszem Lewandowskim.", "Tomasz Lewandowski"),
        ("Przekazałam wiadomość Pani Ewie Kamińskiej.", "Ewa Kamińska"),
        ("Proszę porozmawiać z Panią Anną Kowalską.", "Anna Kowalska"),
        ("Proszę pisać do Pana Michała Dudka z kadr.", "Michał Dudek"),
        ("Proszę rozmawiać z Panem Pawłem Nowakiem.", "Paweł Nowak"),
        ("Skontaktuję Panią z Panem Prezesem Nowakiem.", "Nowak"),
        ("Proszę pisać do: Jan Zieliński, jan.zielinski@trans-pol.example", "Jan Zieliński"),
    ],
)
def test_polish_names_come_back_in_the_nominative(text, name):
    assert people(text, "pl")[0].name == name


def test_the_greeting_names_the_addressee_not_the_colleague():
    found = people("Dear Ms Smith,\n\nplease write to Anna Berg (anna.berg@firm.test).", "en")
    assert [p.name for p in found] == ["Anna Berg"]


@pytest.mark.parametrize(
    "language, text, month",
    [
        ("en", "Our budget won't be signed off until February. Please contact me again then.", "2027-02"),
        ("en", "Q1 is fully committed, so please reach out again in Q2 next year.", "2027-04"),
        ("de", "Bin grad völlig zu, kannst du dich in zwei, drei Monaten nochmal melden?", "2027-02"),
        ("de", "Das Haus ist bis Ostern voll. Melden Sie sich bitte im Mai wieder.", "2027-05"),
        ("fr", "Recontactez-moi au printemps.", "2027-03"),
        ("es", "¿Puedes escribirnos después del verano? Septiembre sería ideal.", "2027-09"),
        ("it", "ciao, ora proprio non ci sto dietro, dopo l'estate magari si. fatti risentire tu Marco", "2027-09"),
        ("nl", "Laten we in Q2 volgend jaar opnieuw schakelen.", "2027-04"),
        ("pl", "Do końca lutego nie mam głowy. Proszę napisać do mnie w marcu.", "2027-03"),
        ("pt", "Falamos depois das festas?", "2027-01"),
        ("en", "Too busy this year, try me again after Easter.", "2027-04"),
    ],
)
def test_a_later_reply_gives_the_time_asked_for(language, text, month):
    assert until_of(fold(text), text, TODAY, language).isoformat()[:7] == month


@pytest.mark.parametrize(
    "language, text",
    [
        ("en", "I'm on leave until 14 December, will look at this when I'm back."),
        ("de", "Bin bis Mitte Januar nicht im Haus, schaue es mir danach an."),
        ("fr", "Le cabinet sera fermé du 23/12 au 4/01 inclus. Pour toute urgence, appelez le 04 00 00 00 00."),
        ("es", "Estoy de vacaciones hasta el 14 de diciembre, le respondo a la vuelta."),
    ],
)
def test_an_absence_or_a_closure_is_not_later(language, text):
    intent = intent_of(text, TODAY, language=language)
    assert intent.kind is not IntentKind.NOT_NOW and not intent.acts


@pytest.mark.parametrize(
    "language, text, kind",
    [
        (
            "de",
            "Da wir unsere Ausbildungsaktivitäten vollständig über bestehende Partner abdecken, sehen wir derzeit "
            "keine Anknüpfungspunkte.",
            IntentKind.NOT_INTERESTED,
        ),
        ("nl", "Na interne afstemming hebben wij besloten hier geen vervolg aan te geven.", IntentKind.NOT_INTERESTED),
        ("pt", "O que implicaria concretamente para a Associação?", IntentKind.QUESTION),
        ("en", "No problem, thanks for thinking of us - happy to have a call. Tuesday 10am?", IntentKind.INTERESTED),
        ("es", "Sin problema, hablemos. ¿Le viene bien el martes a las 10?", IntentKind.INTERESTED),
        ("fr", "Merci, mais ce n'est pas le bon moment. Recontactez-nous à la rentrée.", IntentKind.NOT_NOW),
    ],
)
def test_the_replies_the_keyword_rules_got_wrong(language, text, kind):
    assert intent_of(text, TODAY, language=language).kind is kind


def test_a_refusal_is_never_an_invitation_and_a_clear_yes_acts():
    refusal = intent_of(
        "Thank you, this sounds like a great initiative, however we are not in a position to "
        "take on students at the moment. We wish you every success.",
        TODAY,
    )
    assert refusal.kind is IntentKind.NOT_INTERESTED
    yes = intent_of("Yes, happy to have a chat. Thursday after 2pm works for me.", TODAY)
    assert (yes.kind, yes.acts) == (IntentKind.INTERESTED, True) and yes.confidence >= 0.85
    hedged = intent_of("Interested, but not before spring - could you come back to us in March?", TODAY)
    assert not (hedged.kind is IntentKind.INTERESTED and hedged.acts)


def test_evidence_is_phrases_of_the_reply():
    text = "Leider passt es gerade nicht, melden Sie sich gerne nach Ostern wieder."
    intent = intent_of(text, TODAY, language="de")
    assert intent.kind is IntentKind.NOT_NOW and intent.until == date(2027, 4, 5)
    quoted = [e.strip('"') for e in intent.evidence if e.startswith('"')]
    assert quoted and all(phrase in text for phrase in quoted)


def test_a_colleague_answering_for_the_addressee_is_read_by_what_it_says():
    intent = intent_of(
        "Dear Ms Ahmed, I'm replying on behalf of Mark Jenkins, who is on annual leave until "
        "7 December. He asked me to let you know that he'd be keen to meet. Could you send a couple "
        "of slots for the week of the 7th?",
        TODAY,
    )
    assert intent.kind is IntentKind.INTERESTED


def test_a_referral_gives_the_address_not_ours_nor_the_senders():
    text = (
        "Please contact my colleague Anna Berg (anna.berg@nordhafen.test), she leads our apprenticeships. "
        "I'm copying jana@school.test."
    )
    intent = intent_of(text, TODAY, "klaus@nordhafen.test", ("jana@school.test",))
    assert intent.as_json() | {"confidence": None, "evidence": None} == {
        "intent": "referral",
        "confidence": None,
        "acts": True,
        "evidence": None,
        "until": None,
        "referral_email": "anna.berg@nordhafen.test",
        "referral_name": "Anna Berg",
        "referral_salutation": "female",
    }


def test_write_to_me_instead_hands_over_to_the_writer():
    intent = intent_of("I'm answering for Eva, who is on leave; please write to me instead.", TODAY, "tom@firm.test")
    assert (intent.kind, intent.referral_email) == (IntentKind.REFERRAL, "tom@firm.test")


def test_no_new_text_is_unclear():
    assert intent_of("   ", TODAY).as_json() == {
        "intent": "unclear",
        "confidence": 1.0,
        "acts": False,
        "evidence": ["(no new text)"],
        "until": None,
        "referral_email": None,
        "referral_name": None,
        "referral_salutation": None,
    }


def test_intent_keeps_its_old_shape():
    intent = Intent(IntentKind.NOT_NOW, until=date(2027, 3, 1))
    assert (intent.kind, intent.until, intent.referral_email, intent.referral_name) == (
        IntentKind.NOT_NOW,
        date(2027, 3, 1),
        None,
        None,
    )


def test_the_sign_off_and_a_leaked_quote_are_not_read():
    text = (
        "Hi Tom,\n\nnot for us, thanks.\n\nBest regards,\nKlaus\n\nOn Mon, 23 Nov 2026 at 10:00, Jana "
        "<jana@school.test> wrote: Would you be available for a short call next week?"
    )
    assert body(text) == "Hi Tom,\n\nnot for us, thanks."
    assert (
        body("Yes, let's talk. From: Jana Weber Sent: Monday To: Klaus Subject: Proposal Would you")
        == "Yes, let's talk."
    )


def test_the_language_is_detected_when_not_given():
    assert [
        detect(t)
        for t in (
            "Vielen Dank, leider haben wir keine Kapazität.",
            "Merci, nous sommes intéressés.",
            "Dziękuję, nie jesteśmy zainteresowani.",
            "Obrigado, não temos interesse.",
        )
    ] == ["de", "fr", "pl", "pt"]


def test_the_shipped_set_and_a_bad_labelled_file(tmp_path):
    replies = shipped()
    assert len(shipped(added=False)) == 800 and len(replies) > 800
    assert {r.language for r in replies} == {"en", "de", "fr", "es", "it", "nl", "pl", "pt"}
    bad = tmp_path / "de.yaml"
    bad.write_text("- intent: maybe\n  text: Hallo\n- text: ''\n  intent: question\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        load(bad)
    assert "de.yaml: reply 1: intent: 'maybe' is not one of" in str(error.value)
    assert "reply 2: text: the reply's text is missing" in str(error.value)
    with pytest.raises(InvalidInput, match="not valid YAML"):
        parse("- [", "x.yaml", "de")


def test_the_school_labels_are_learned(tmp_path):
    extra = [LabelledReply("Wir melden uns, wenn der Betriebsrat zugestimmt hat.", "unclear", "de")] * 6
    reader = train(extra, install=False)
    assert reader.size == len(shipped()) + 6
    assert reader.read("Wir melden uns, wenn der Betriebsrat zugestimmt hat.", TODAY).kind is IntentKind.UNCLEAR


def test_the_model_is_kept_beside_the_logbook_and_a_broken_file_is_retrained(tmp_path):
    first = train(install=False, cache=tmp_path)
    kept = list(tmp_path.glob("reply-model-*.pickle"))
    assert len(kept) == 1 and kept[0].stat().st_mode & 0o077 == 0
    second = train(install=False, cache=tmp_path)
    assert second.trained_on == first.trained_on and second.seconds == first.seconds  # loaded, not trained
    kept[0].write_bytes(b"not a model")
    third = train(install=False, cache=tmp_path)
    assert third.seconds != first.seconds and third.read("Nein, danke.", TODAY).kind is IntentKind.NOT_INTERESTED


def test_the_command_line_retrains_and_refuses_a_missing_held_out_folder(cli, tmp_path):
    result = cli("intent", "retrain", "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    assert data["replies"] == len(shipped()) and data["school_labels"] == 0
    missing = cli("intent", "evaluate", "--heldout", str(tmp_path / "none"))
    assert missing.code == 2 and "no *.yaml files of labelled replies there" in missing.err


def test_the_command_line_evaluates_with_folds_and_a_held_out_folder(cli_no_db, tmp_path):
    heldout = tmp_path / "heldout"
    heldout.mkdir()
    (heldout / "en.yaml").write_text(
        "- intent: not_interested\n  text: Thanks, but we are not interested.\n"
        "- intent: interested\n  text: Yes, happy to talk. Tuesday 10am works.\n"
        "  html: <p>Yes, happy to talk. Tuesday 10am works.</p>\n",
        encoding="utf-8",
    )
    result = cli_no_db("intent", "evaluate", "--folds", "2", "--heldout", str(heldout), "--json")
    assert result.code == 0, result
    cross, labelled, extracted, html = json.loads(result.out)
    assert cross["replies"] == len(shipped()) and cross["accuracy"] > 0.85
    assert set(cross["per_language"]) == {"en", "de", "fr", "es", "it", "nl", "pl", "pt"}
    assert {"refusal_or_later_read_as_interested", "confusion", "acted", "acted_wrong"} <= cross.keys()
    assert (labelled["replies"], labelled["accuracy"], html["replies"]) == (2, 1.0, 1)
