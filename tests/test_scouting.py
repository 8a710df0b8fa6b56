"""Scouting: weighted selection criteria score the partners with reasons; queuing sends in score
order when the caps bind; the stakeholder matrix (influence x interest) is drawn as SVG or PNG."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import sqlalchemy as sa

from outreach.db.models import Contact, Step
from tests.support.campaigns import campaign_settings, write_campaign

CRITERIA = [
    {"name": "In Germany", "field": "country", "values": ["DE"], "weight": 3},
    {"name": "Mobility", "field": "partnership_types", "values": ["mobility"], "weight": 2},
    {"name": "Erasmus+ experience", "field": "tags", "values": ["erasmus"], "weight": 2},
    {"name": "A large employer", "field": "extra:Size", "values": ["large"], "weight": 1},
]


def test_partners_are_scored_with_reasons_and_mailed_in_score_order(cli, uow, tmp_path):
    sheet = tmp_path / "partners.csv"
    sheet.write_text(
        "organisation,country,partnership_types,tags,Size,email,Einfluss,Interesse\n"
        "Low Fit SARL,FR,training,,small,a@low.test,niedrig,1\n"
        "Best Fit GmbH,DE,mobility,erasmus,large,b@best.test,hoch,5\n"
        "Middle Fit GmbH,DE,training,,large,c@middle.test,3,medium\n"
        "No Levels Ltd,IE,training,,,d@none.test,,\n",
        encoding="utf-8",
    )
    settings = campaign_settings(
        "scored", 1, 1, [], partners_file={"path": str(sheet)}, selection={"criteria": CRITERIA}
    )
    path = write_campaign(tmp_path, settings)
    assert cli("campaign", "queue", path).code == 0
    rows = json.loads(cli("partners", "list", "--sort", "score", "--json").out)
    assert [(r["name"], r["score"]) for r in rows] == [
        ("Best Fit GmbH", 8),
        ("Middle Fit GmbH", 4),
        ("Low Fit SARL", 0),
        ("No Levels Ltd", 0),
    ]
    assert rows[0]["reasons"] == [
        "In Germany (+3)",
        "Mobility (+2)",
        "Erasmus+ experience (+2)",
        "A large employer (+1)",
    ]
    table = cli("partners", "list", "--sort", "score").out
    assert "In Germany (+3); A large employer" in table.replace("\n", " ").replace("  ", " ") or "In Germany" in table
    first = (
        uow.session.execute(sa.select(Contact.email).join(Step, Step.contact_id == Contact.id).order_by(Step.id))
        .scalars()
        .all()
    )
    assert first[:2] == ["b@best.test", "c@middle.test"]  # the scheduler sends due steps in this order

    svg, png = tmp_path / "matrix.svg", tmp_path / "matrix.png"
    drawn = cli("partners", "matrix", "--out", svg)
    assert drawn.code == 0 and "3 partners placed" in drawn.out and "1 without influence and interest" in drawn.out
    text = "".join(ElementTree.parse(svg).getroot().itertext())
    assert "Stakeholder matrix" in text and "Best Fit GmbH" in text and "Manage closely" in text
    assert "No Levels Ltd" not in text
    assert cli("partners", "matrix", "--out", png).code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli("partners", "matrix", "--out", tmp_path / "m.gif").code == 2


def test_a_criterion_on_an_unknown_field_names_its_line(cli_no_db, tmp_path):
    settings = campaign_settings(
        "bad",
        1,
        1,
        [{"name": "A", "contacts": [{"email": "a@a.test"}]}],
        selection={"criteria": [{"name": "Size", "field": "size", "weight": 1}]},
    )
    result = cli_no_db("campaign", "validate", write_campaign(tmp_path, settings))
    assert result.code == 2 and "selection.criteria[0].field" in result.err and "extra:HEADING" in result.err


def test_criteria_may_come_from_a_file_the_campaign_names(cli, tmp_path):
    shared = tmp_path / "criteria.yaml"
    shared.write_text("criteria:\n  - {name: In Germany, field: country, values: [DE], weight: 3}\n")
    settings = campaign_settings(
        "from-file",
        1,
        1,
        [
            {"name": "Best GmbH", "country": "DE", "contacts": [{"email": "b@best.test"}]},
            {"name": "Other SARL", "country": "FR", "contacts": [{"email": "o@other.test"}]},
        ],
        selection={"criteria_file": "criteria.yaml"},
    )
    assert cli("campaign", "queue", write_campaign(tmp_path, settings)).code == 0
    rows = json.loads(cli("partners", "list", "--sort", "score", "--json").out)
    assert [(r["name"], r["reasons"]) for r in rows] == [("Best GmbH", ["In Germany (+3)"]), ("Other SARL", [])]
    shared.write_text("criteria:\n  - {name: x, field: nowhere}\n")
    refused = cli("campaign", "validate", write_campaign(tmp_path, settings))
    assert refused.code == 2 and "criteria.yaml:2: criteria[0].field" in refused.err
