import pytest

from outreach.domain.context import fields_of_partnership
from outreach.domain.phases import manual_move, move_for_event
from outreach.domain.vocabulary import FIELD_WORDS, PartnershipType, Phase, Source
from outreach.errors import PhaseError


def test_the_guide_has_eleven_partnership_types_and_five_phases():
    assert len(PartnershipType) == 11
    assert [p.value for p in Phase] == [
        "scouting",
        "first_contact",
        "proposal",
        "collaboration_setup",
        "maintenance",
    ]
    assert len(Source) == 16


@pytest.mark.parametrize(
    "text, expected",
    [
        ("HR & Talent partnerships", PartnershipType.HR_TALENT),
        ("Quality & Certification partnerships", PartnershipType.QUALITY),
        ("International alliances", PartnershipType.INTERNATIONAL),
        ("data", PartnershipType.DATA),
        ("Community and inclusion partnerships", PartnershipType.COMMUNITY),
    ],
)
def test_partnership_types_are_read_by_key_or_by_the_guides_heading(text, expected):
    assert PartnershipType.parse(text) is expected


def test_an_unknown_word_names_the_allowed_ones():
    with pytest.raises(ValueError, match="training, mobility"):
        PartnershipType.parse("friendship")


def test_sources_accept_the_guides_wording():
    assert Source.parse("Erasmus+ National Agency") is Source.ERASMUS_NA
    assert Source.parse("LinkedIn") is Source.LINKEDIN


def test_partnership_fields_read_naturally_in_each_language():
    types = [PartnershipType.TRAINING, PartnershipType.MOBILITY, PartnershipType.FUNDING]
    assert fields_of_partnership(types, "en") == "training, mobility and funding"
    assert fields_of_partnership(types, "de-AT") == "Aus- und Weiterbildung, Mobilität und Finanzierung"
    assert fields_of_partnership(types[:1], "fr") == "formation"
    assert fields_of_partnership(types[:2], "pl") == "kształcenie i mobilność"
    assert (
        fields_of_partnership([PartnershipType.TRAINING, PartnershipType.INNOVATION], "es") == "formación e innovación"
    )
    assert fields_of_partnership(types[:2], "cs") == "training and mobility"  # no words yet: English
    assert fields_of_partnership([], "en") is None
    assert all(set(words) == set(PartnershipType) for words in FIELD_WORDS.values())


def test_events_move_partners_forward_only_from_the_expected_phase():
    move = move_for_event(Phase.SCOUTING, "first_contact_sent", "first-contact email sent")
    assert (move.from_phase, move.to_phase, move.by) == (
        Phase.SCOUTING,
        Phase.FIRST_CONTACT,
        "event:first_contact_sent",
    )
    assert move_for_event(Phase.FIRST_CONTACT, "human_reply", "reply").to_phase is Phase.PROPOSAL
    # a late reply never moves a partner backwards
    assert move_for_event(Phase.COLLABORATION_SETUP, "human_reply", "reply") is None
    with pytest.raises(PhaseError):
        move_for_event(Phase.SCOUTING, "sunshine", "?")


def test_a_manual_move_needs_a_reason_and_a_different_phase():
    move = manual_move(Phase.PROPOSAL, Phase.SCOUTING, " partner changed owner ", "staff:jana")
    assert move.reason == "partner changed owner" and move.by == "staff:jana"
    with pytest.raises(PhaseError, match="reason"):
        manual_move(Phase.PROPOSAL, Phase.MAINTENANCE, "  ", "staff:jana")
    with pytest.raises(PhaseError, match="already"):
        manual_move(Phase.PROPOSAL, Phase.PROPOSAL, "again", "staff:jana")
