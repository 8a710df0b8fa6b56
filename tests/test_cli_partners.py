"""`outreach partners ...` and `outreach db ...` end to end, on SQLite and PostgreSQL."""

import json
import shutil
from pathlib import Path

import pytest

from outreach.adapters.tabular import read_rows

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CSV = ROOT / "config" / "partners.example.csv"


def as_json(result):
    assert result.code == 0, result
    return json.loads(result.out)


def test_import_list_show_advance(cli):
    imported = cli("partners", "import", EXAMPLE_CSV)
    assert imported.code == 0, imported
    assert "3 new partners" in imported.out and "4 new contacts" in imported.out
    partners = as_json(cli("partners", "list", "--json"))
    assert [(p["name"], p["phase"], p["contacts"]) for p in partners] == [
        ("Chambre des Métiers de l'Artisanat Lyon", "scouting", 1),
        ("Stadtwerke Südheide", "scouting", 2),
        ("Kraków Skills Hub", "scouting", 1),
    ]
    moved = cli(
        "partners",
        "advance",
        "j.schaefer@stadtwerke-suedheide.example",
        "proposal",
        "--reason",
        "met at the skills fair",
        "--by",
        "staff:jana",
    )
    assert moved.code == 0 and "moved from scouting to proposal" in moved.out
    assert [p["name"] for p in as_json(cli("partners", "list", "--phase", "proposal", "--json"))] == [
        "Stadtwerke Südheide"
    ]
    detail = as_json(cli("partners", "show", "2", "--json"))
    assert [c["name"] for c in detail["contacts"]] == ["Jürgen Schäfer", "Ayşe Demir"]
    assert [(e["from"], e["to"], e["by"]) for e in detail["timeline"]] == [
        (None, "scouting", "import:partners.example.csv"),
        ("scouting", "proposal", "staff:jana"),
    ]
    shown = cli("partners", "show", "2")
    assert shown.code == 0 and "Stadtwerke Südheide" in shown.out and "met at the skills fair" in shown.out
    table = cli("partners", "list")
    assert table.code == 0 and "Kraków Skills Hub" in table.out and "3 partners" in table.out


def test_errors_name_what_to_type(cli):
    assert cli("partners", "show", "99").code == 3
    unknown_phase = cli("partners", "list", "--phase", "courting")
    assert unknown_phase.code == 2 and "not one of: scouting, first_contact" in unknown_phase.err
    cli("partners", "import", EXAMPLE_CSV)
    no_reason = cli("partners", "advance", "1", "proposal", "--reason", " ")
    assert no_reason.code == 2 and "needs a reason" in no_reason.err
    bad_map = cli("partners", "import", EXAMPLE_CSV, "--map", "email")
    assert bad_map.code == 2 and "FIELD=COLUMN" in bad_map.err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_gives_the_same_logbook(cli, tmp_path, suffix):
    cli("partners", "import", EXAMPLE_CSV)
    cli("partners", "advance", "3", "proposal", "--reason", "replied")
    first = tmp_path / f"first{suffix}"
    assert cli("partners", "export", first).code == 0
    before = as_json(cli("partners", "list", "--json"))
    again = cli("partners", "import", first)
    assert again.code == 0 and "0 new partners" in again.out and "0 new contacts" in again.out
    assert as_json(cli("partners", "list", "--json")) == before
    second = tmp_path / f"second{suffix}"
    cli("partners", "export", second)
    assert read_rows(first) == read_rows(second)


def test_export_into_a_fresh_logbook_rebuilds_it(cli, tmp_path, engine):
    cli("partners", "import", EXAMPLE_CSV)
    cli("partners", "advance", "2", "collaboration_setup", "--reason", "MoU signed")
    exported = tmp_path / "logbook.csv"
    cli("partners", "export", exported)
    from tests.support.databases import empty_tables

    empty_tables(engine)
    assert as_json(cli("partners", "list", "--json")) == []
    cli("partners", "import", exported)
    rebuilt = tmp_path / "rebuilt.csv"
    cli("partners", "export", rebuilt)
    assert read_rows(exported)[1] == read_rows(rebuilt)[1]
    assert as_json(cli("partners", "show", "2", "--json"))["phase"] == "collaboration_setup"


def test_a_bad_row_stops_the_whole_import_unless_asked(cli, tmp_path):
    path = tmp_path / "logbook.csv"
    path.write_text("organisation;email;country\nGood AG;a@good.test;DE\nBad AG;broken;DE\n", encoding="utf-8")
    refused = cli("partners", "import", path)
    assert refused.code == 2
    assert f"{path}:3: email: 'broken' is not a valid email address" in refused.err
    assert "nothing was written" in refused.err
    assert as_json(cli("partners", "list", "--json")) == []
    partial = cli("partners", "import", path, "--skip-invalid")
    assert partial.code == 0
    assert "imported 1 of 2 rows" in partial.out and "those rows were not imported" in partial.err
    assert [p["name"] for p in as_json(cli("partners", "list", "--json"))] == ["Good AG"]


def test_dry_run_writes_nothing(cli):
    result = cli("partners", "import", EXAMPLE_CSV, "--dry-run")
    assert result.code == 0 and "would import 4 of 4 rows" in result.out
    assert as_json(cli("partners", "list", "--json")) == []


def test_forget_asks_first_and_keeps_the_address_unmailable(cli):
    cli("partners", "import", EXAMPLE_CSV)
    declined = cli("partners", "forget", "a.demir@stadtwerke-suedheide.example", stdin="n\n")
    assert declined.code == 1
    assert as_json(cli("partners", "show", "2", "--json"))["contacts"][1]["name"] == "Ayşe Demir"
    done = cli("partners", "forget", "a.demir@stadtwerke-suedheide.example", "--yes")
    assert done.code == 0 and "forgotten" in done.out
    assert [c["name"] for c in as_json(cli("partners", "show", "2", "--json"))["contacts"]] == ["Jürgen Schäfer"]
    again = cli("partners", "import", EXAMPLE_CSV)
    assert "not added: a.demir@stadtwerke-suedheide.example asked to be forgotten" in again.out
    assert cli("partners", "show", "a.demir@stadtwerke-suedheide.example").code == 3


def test_a_server_database_must_be_upgraded_on_purpose(cli_no_db, postgres_databases, monkeypatch):
    url = postgres_databases.create()
    monkeypatch.setenv("DATABASE_URL", url)
    refused = cli_no_db("partners", "list")
    assert refused.code == 4 and "Run `outreach db upgrade` first" in refused.err
    assert cli_no_db("db", "status").code == 4
    upgraded = cli_no_db("db", "upgrade")
    assert upgraded.code == 0 and "is at revision" in upgraded.out
    assert cli_no_db("db", "status").code == 0
    assert cli_no_db("partners", "list", "--json").out.strip() == "[]"


def test_the_embedded_sqlite_default_upgrades_itself(cli_no_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL")
    shutil.copy(EXAMPLE_CSV, tmp_path)
    result = cli_no_db("partners", "import", "partners.example.csv")
    assert result.code == 0, result
    assert (tmp_path / "outreach.db").exists()


HOSTILE = (
    "organisation;E-Mail;contact_name;focus_area;notes\n"
    'Bücher GmbH;j@bücher.example;Jürgen;=HYPERLINK("http://x.test","click");+cmd|\' /C calc\'!A0\n'
    "Еxample Ltd;a@exаmple.example;Anna;@SUM(1+1);-2+3\n"
)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_like_cells_and_international_domains_export_safely_and_import_back(cli, tmp_path, engine, suffix):
    source = tmp_path / "hostile.csv"
    source.write_text(HOSTILE, encoding="utf-8")
    assert cli("partners", "import", source).code == 0
    before = as_json(cli("partners", "list", "--json"))
    exported = tmp_path / f"export{suffix}"
    result = cli("partners", "export", exported)
    assert result.code == 0 and "Traceback" not in result.err
    if suffix == ".csv":
        text = exported.read_text(encoding="utf-8-sig")
        assert "'=HYPERLINK" in text and "'+cmd" in text and "'@SUM" in text and "'-2+3" in text
        # a user edits the file in a text editor: a new note for Anna
        exported.write_text(text.replace("Anna,", "Anna K.,"), encoding="utf-8-sig")
    else:
        import zipfile

        from openpyxl import load_workbook

        with zipfile.ZipFile(exported) as archive:
            assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
        book = load_workbook(exported)  # a user edits the workbook in a spreadsheet
        sheet = book.active
        names = [c.column for c in sheet[1] if c.value == "contact_name"]
        for row in sheet.iter_rows(min_row=2):
            if row[names[0] - 1].value == "Anna":
                row[names[0] - 1].value = "Anna K."
        book.save(exported)
    assert cli("partners", "import", exported).code == 0
    after = as_json(cli("partners", "list", "--json"))
    assert after == before  # names of contacts are not in the list; everything else identical
    shown = cli("partners", "show", "a@exаmple.example")
    assert "Anna K." in shown.out and "@SUM(1+1)" in shown.out
