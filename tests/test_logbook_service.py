"""The partner logbook on a real database: SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa

from outreach.db.models import Contact, InboundMail, Interaction, Partner, PhaseChange, Suppression
from outreach.domain.records import PartnerIn
from outreach.domain.vocabulary import ContactStatus, Direction, InteractionKind, Phase
from outreach.errors import InvalidInput, NotFound, PhaseError
from outreach.services.partners import logbook
from outreach.services.partners.erasure import forget


def partner(name="Müller GmbH", country="DE", emails=("anna@mueller.test",), **fields) -> PartnerIn:
    return PartnerIn(name=name, country=country, contacts=[{"email": e} for e in emails], **fields)


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_second_upsert_updates_and_never_duplicates(uow):
    first = logbook.upsert_partners(uow.session, [partner(partnership_types=["training"])], by="test")
    assert (first.partners_created, first.contacts_created) == (1, 1)
    again = logbook.upsert_partners(uow.session, [partner(partnership_types=["training"])], by="test")
    assert (again.partners_created, again.partners_unchanged, again.contacts_created) == (0, 1, 0)
    changed = logbook.upsert_partners(
        uow.session, [partner(emails=("anna@mueller.test", "ben@mueller.test"), focus_area="Welding")], by="test"
    )
    assert (changed.partners_updated, changed.contacts_created) == (1, 1)
    uow.commit()
    stored = uow.session.scalars(sa.select(Partner)).one()
    assert stored.focus_area == "Welding" and stored.partnership_types == ["training"]
    assert [c.email for c in stored.contacts] == ["anna@mueller.test", "ben@mueller.test"]
    assert stored.mail_domain == "mueller.test"


def test_matching_is_by_contact_email_then_by_name_and_country(uow):
    logbook.upsert_partners(uow.session, [partner()], by="test")
    # the same contact under another organisation's name: refused, never a silent rename
    with pytest.raises(
        InvalidInput,
        match="anna@mueller.test is a contact of 'Müller GmbH' in the logbook, "
        "but here it is under 'Müller Holding GmbH'",
    ):
        logbook.upsert_partners(uow.session, [partner(name="Müller Holding GmbH")], by="test")
    # the known contact, the country left out: the partner its address names
    assert logbook.upsert_partners(uow.session, [partner(country=None)], by="test").partners_created == 0
    # no contact, same name and country (spelt differently): the same partner
    logbook.upsert_partners(uow.session, [partner(name="MÜLLER  gmbh", emails=())], by="test")
    # same name, other country: another partner
    logbook.upsert_partners(uow.session, [partner(name="Müller GmbH", country="AT", emails=())], by="test")
    uow.commit()
    assert [(p.name, p.country) for p in uow.session.scalars(sa.select(Partner).order_by(Partner.id))] == [
        ("Müller GmbH", "DE"),
        ("Müller GmbH", "AT"),
    ]


def test_a_contact_moves_only_when_asked_and_the_move_is_reported(uow):
    logbook.upsert_partners(uow.session, [partner()], by="test")
    moved = logbook.upsert_partners(uow.session, [partner(name="Müller Holding GmbH")], by="test", move_contacts=True)
    uow.commit()
    assert moved.contacts_moved == ["anna@mueller.test from Müller GmbH to Müller Holding GmbH"]
    names = {p.name: [c.email for c in p.contacts] for p in uow.session.scalars(sa.select(Partner))}
    assert names == {"Müller GmbH": [], "Müller Holding GmbH": ["anna@mueller.test"]}


def test_an_empty_value_never_erases_a_stored_one(uow):
    logbook.upsert_partners(uow.session, [partner(region="Bayern", notes="met at fair")], by="test")
    logbook.upsert_partners(uow.session, [partner()], by="test")
    uow.commit()
    stored = uow.session.scalars(sa.select(Partner)).one()
    assert (stored.region, stored.notes) == ("Bayern", "met at fair")


def test_new_partners_start_in_scouting_with_history(uow):
    logbook.upsert_partners(
        uow.session, [partner(), partner("Atelier", "FR", ("c@atelier.test",), phase="proposal")], by="import:x.csv"
    )
    uow.commit()
    history = uow.session.scalars(sa.select(PhaseChange).order_by(PhaseChange.id)).all()
    assert [(h.from_phase, h.to_phase, h.by) for h in history] == [
        (None, Phase.SCOUTING, "import:x.csv"),
        (None, Phase.PROPOSAL, "import:x.csv"),
    ]


def test_advance_keeps_the_move_in_the_history(uow):
    logbook.upsert_partners(uow.session, [partner()], by="test")
    move = logbook.advance(uow.session, "anna@mueller.test", Phase.PROPOSAL, "met at the skills fair", "staff:jana")
    uow.commit()
    assert (move.from_phase, move.to_phase) == (Phase.SCOUTING, Phase.PROPOSAL)
    stored = logbook.find_partner(uow.session, "1")
    assert stored.phase is Phase.PROPOSAL
    last = stored.phase_history[-1]
    assert (last.from_phase, last.to_phase, last.reason, last.by) == (
        Phase.SCOUTING,
        Phase.PROPOSAL,
        "met at the skills fair",
        "staff:jana",
    )
    with pytest.raises(PhaseError):
        logbook.advance(uow.session, "1", Phase.MAINTENANCE, "", "staff:jana")
    with pytest.raises(NotFound):
        logbook.advance(uow.session, "nobody@nowhere.test", Phase.MAINTENANCE, "x", "staff:jana")


def test_forget_removes_the_person_and_keeps_them_unmailable(uow, tmp_path):
    logbook.upsert_partners(uow.session, [partner(emails=("anna@mueller.test", "ben@mueller.test"))], by="test")
    stored = uow.session.scalars(sa.select(Partner)).one()
    raw = tmp_path / "reply.eml"
    raw.write_text("From: anna@mueller.test\n\nHello")
    anna = stored.contacts[0]
    uow.session.add(
        Interaction(
            partner=stored,
            contact=anna,
            direction=Direction.IN,
            kind=InteractionKind.EMAIL,
            subject="Re: collaboration",
            text="Gerne!",
            raw_path=str(raw),
        )
    )
    uow.session.add(InboundMail(mailbox="vet@school.test", folder="INBOX", uidvalidity=1, uid=1, raw_path=str(raw)))
    uow.commit()

    result = forget(uow.session, "Anna@Mueller.test")
    uow.commit()
    assert (result.interactions_removed, result.raw_files) == (1, [str(raw)])
    assert [c.email for c in uow.session.scalars(sa.select(Contact))] == ["ben@mueller.test"]
    assert count(uow.session, Interaction) == 0 and count(uow.session, InboundMail) == 0
    suppression = uow.session.scalars(sa.select(Suppression)).one()
    assert suppression.email is None and suppression.reason == "erasure"
    assert "anna" not in suppression.email_hash
    assert logbook.is_suppressed(uow.session, "anna@mueller.test")

    # an old spreadsheet does not bring her back
    summary = logbook.upsert_partners(uow.session, [partner(emails=("anna@mueller.test",))], by="test")
    uow.commit()
    assert summary.skipped_erased == ["anna@mueller.test"] and summary.contacts_created == 0
    assert count(uow.session, Contact) == 1
    with pytest.raises(NotFound):
        forget(uow.session, "nobody@mueller.test")


def test_an_opted_out_contact_in_a_file_goes_on_the_suppression_list(uow):
    record = PartnerIn(name="A", contacts=[{"email": "x@a.test", "status": "opted_out"}])
    logbook.upsert_partners(uow.session, [record], by="test")
    uow.commit()
    assert logbook.is_suppressed(uow.session, "X@A.test")
    assert uow.session.scalars(sa.select(Contact)).one().status is ContactStatus.OPTED_OUT


def test_snapshot_round_trips_a_stored_partner(uow):
    record = PartnerIn(
        name="Stadtwerke Südheide",
        website="https://suedheide.test",
        country="DE",
        region="Niedersachsen",
        source="municipality",
        partnership_types=["training", "infrastructure"],
        focus_area="Energy",
        notes="Call in May",
        tags=["energy", "public"],
        phase="proposal",
        status="active",
        contacts=[
            {
                "email": "j@suedheide.test",
                "name": "Jürgen Schäfer",
                "role": "Ausbildungsleiter",
                "language": "de",
                "register": "informal",
                "timezone": "Europe/Berlin",
                "status": "active",
            }
        ],
    )
    logbook.upsert_partners(uow.session, [record], by="test")
    uow.commit()
    [stored] = logbook.all_partners(uow.session)
    assert logbook.snapshot(stored) == record.model_copy(update={"mail_domain": "suedheide.test"})
