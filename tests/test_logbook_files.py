"""Logbook files: CSV in the shapes European spreadsheets write them, and XLSX."""

from pathlib import Path

import pytest

from outreach.adapters.tabular import read_rows, write_rows
from outreach.domain.logbook import LOGBOOK_FIELDS, Table, partners_from_table, table_from_partners
from outreach.errors import InvalidInput


def table(path: Path, **kwargs) -> Table:
    headers, rows = read_rows(path, **kwargs)
    return Table(str(path), headers, rows)


def test_semicolons_a_byte_order_mark_and_accents(tmp_path):
    path = tmp_path / "logbook.csv"
    path.write_bytes(
        "\ufefforganisation;country;contact_name;email\n"
        "Stadtwerke Südheide;DE;Jürgen Schäfer;j.schaefer@suedheide.test\n"
        "Kraków Skills Hub;PL;Łukasz Nowak;l.nowak@krakow.test\n".encode("utf-8")
    )
    partners, problems = partners_from_table(table(path))
    assert problems == []
    assert [(p.name, p.contacts[0].name) for p in partners] == [
        ("Stadtwerke Südheide", "Jürgen Schäfer"),
        ("Kraków Skills Hub", "Łukasz Nowak"),
    ]


def test_a_legacy_encoding_is_named_in_the_error_and_readable_on_request(tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes("organisation;email\nMüller GmbH;anna@mueller.test\n".encode("cp1252"))
    with pytest.raises(InvalidInput, match="--encoding cp1252"):
        read_rows(path)
    partners, problems = partners_from_table(table(path, encoding="cp1252"))
    assert problems == [] and partners[0].name == "Müller GmbH"


def test_rows_of_one_organisation_are_grouped_and_must_agree(tmp_path):
    path = tmp_path / "logbook.csv"
    path.write_text(
        "organisation,country,website,email\n"
        "Müller GmbH,DE,https://mueller.test,anna@mueller.test\n"
        "müller  gmbh,DE,,ben@mueller.test\n"
        "Müller GmbH,DE,https://other.test,carl@mueller.test\n"
        "Müller GmbH,AT,,dora@mueller-wien.test\n",
        encoding="utf-8",
    )
    partners, problems = partners_from_table(table(path))
    assert [str(p) for p in problems] == [
        f"{path}:4: website: differs from row 2 for the same organisation; make the rows agree"
    ]
    assert [len(p.contacts) for p in partners] == [3, 1]
    assert partners[0].derived_mail_domain() == "mueller.test"


def test_every_bad_row_is_reported_with_its_number_and_the_files_column_name(tmp_path):
    path = tmp_path / "logbook.csv"
    path.write_text(
        "Firma,E-Mail,Land,partnership_types,Rolle\n"
        "Good AG,good@good.test,DE,training,CEO\n"
        ",nobody@x.test,DE,,\n"
        "Bad AG,bad-address,Germany,friendship,\n"
        "Other AG,good@good.test,DE,,\n"
        "No Mail AG,,DE,,Trainer\n",
        encoding="utf-8",
    )
    mapping = {"organisation": "Firma", "country": "Land", "role": "Rolle"}
    partners, problems = partners_from_table(table(path), mapping)
    messages = [str(p) for p in problems]
    assert f"{path}:3: Firma: required field is missing" in messages
    assert f"{path}:4: Land: 'GERMANY' is not a two-letter country code such as DE, FR or NO" in messages
    assert any(m.startswith(f"{path}:4: E-Mail: 'bad-address' is not a valid email address") for m in messages)
    assert any(m.startswith(f"{path}:4: partnership_types: 'friendship' is not one of") for m in messages)
    assert f"{path}:5: E-Mail: good@good.test is already in row 2" in messages
    assert not any(m.startswith(f"{path}:6:") for m in messages)  # a prospect: kept without a contact
    assert [p.name for p in partners] == ["Good AG", "No Mail AG"]
    assert partners[1].contacts == [] and partners[1].extra == {"Rolle (no address yet)": "Trainer"}


def test_an_unknown_column_is_kept_and_a_misspelt_one_is_named(tmp_path):
    path = tmp_path / "logbook.csv"
    path.write_text(
        "organisation,email,Telefon,Staff size,Comments\nA,a@a.test,+49 40 555,250,call in May\n", encoding="utf-8"
    )
    partners, problems = partners_from_table(table(path))
    assert problems == [] and partners[0].notes == "call in May"  # a usual heading for notes
    assert partners[0].extra == {"Telefon": "+49 40 555", "Staff size": "250"}
    partners, problems = partners_from_table(table(path), {"tags": "Staff size"})
    assert problems == [] and partners[0].tags == ["250"] and partners[0].extra == {"Telefon": "+49 40 555"}
    path.write_text("organisation,E-Mial,Countyr\nA,a@a.test,DE\n", encoding="utf-8")
    partners, problems = partners_from_table(table(path))
    assert partners == []
    assert [str(p) for p in problems] == [
        f"{path}:1: E-Mial: did you mean email? rename the column, or map it: --map 'email=E-Mial'",
        f"{path}:1: Countyr: did you mean country? rename the column, or map it: --map 'country=Countyr'",
    ]


def test_a_mapping_to_a_missing_column_is_reported(tmp_path):
    path = tmp_path / "logbook.csv"
    path.write_text("organisation,email\nA,a@a.test\n", encoding="utf-8")
    _, problems = partners_from_table(table(path), {"country": "Land"})
    assert str(problems[0]) == f"{path}:1: country: the file has no column 'Land'; it has: organisation, email"


def test_empty_and_unknown_files(tmp_path):
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(InvalidInput, match="empty.csv:1: \\(header\\): the file is empty"):
        read_rows(tmp_path / "empty.csv")
    with pytest.raises(InvalidInput, match="use a .csv or .xlsx file"):
        read_rows(tmp_path / "logbook.ods")
    (tmp_path / "fake.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not a readable .xlsx workbook"):
        read_rows(tmp_path / "fake.xlsx")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_then_read_gives_the_same_partners(tmp_path, suffix):
    source = tmp_path / "in.csv"
    source.write_text(
        "organisation;country;partnership_types;tags;contact_name;email;register;timezone;phase\n"
        "Stadtwerke Südheide;DE;training, infrastructure;energy;Jürgen Schäfer;j@suedheide.test;informal;"
        "Europe/Berlin;proposal\n"
        "Stadtwerke Südheide;DE;training, infrastructure;energy;Ayşe Demir;a@suedheide.test;formal;"
        "Europe/Berlin;proposal\n"
        "Atelier Lumière;FR;mobility;;;;;;\n",
        encoding="utf-8-sig",
    )
    first, problems = partners_from_table(table(source))
    assert problems == []
    headers, rows = table_from_partners(first)
    assert headers == list(LOGBOOK_FIELDS) and len(rows) == 3
    written = tmp_path / f"out{suffix}"
    write_rows(written, headers, rows)
    second, problems = partners_from_table(table(written))
    assert problems == [] and second == first


def test_xlsx_sheet_choice(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "notes"
    book.active.append(["something else"])
    sheet = book.create_sheet("partners")
    sheet.append(["organisation", "email", "country"])
    sheet.append(["Müller GmbH", "anna@mueller.test", "DE"])
    book.save(tmp_path / "book.xlsx")
    partners, problems = partners_from_table(table(tmp_path / "book.xlsx", sheet="partners"))
    assert problems == [] and partners[0].contacts[0].email == "anna@mueller.test"
    with pytest.raises(InvalidInput, match="no sheet 'contacts'; the workbook has notes, partners"):
        read_rows(tmp_path / "book.xlsx", sheet="contacts")
