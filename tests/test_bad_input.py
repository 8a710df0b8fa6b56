"""Every bad input is a clear error: exit code 2, a message naming the file, row or field and
what to do, and never a Python traceback; text that looks like rich markup prints as itself."""

from __future__ import annotations

import socket

import pytest

from tests.support.campaigns import campaign_settings, write_campaign

BAD_FILES = {
    "long-cell.csv": ('organisation;email\nA;a@a.test\n"' + "x" * 140_000 + '";b@b.test\n', "longer than 131,072"),
    "nul.csv": ("organisation;email\nA\x00;a@a.test\n", "NUL"),
    "long-name.csv": ("organisation;email\n" + "N" * 300 + ";a@a.test\n", "at most 200 characters"),
    "control.csv": ("organisation,email,contact_name\nA,a@a.test,Pat\u2028Lee\n", "U+2028"),
    "del.csv": ("organisation,email,contact_name\nA,a@a.test,Pat\x7fLee\n", "U+007F"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_spreadsheets_are_named_by_file_and_row(cli, tmp_path, name):
    text, said = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = cli("partners", "import", path)
    assert result.code == 2, result
    assert f"{path}:" in result.err and said in result.err and "Traceback" not in result.err + result.out


def test_control_characters_in_a_campaign_file_are_refused_where_they_stand(cli_no_db, tmp_path):
    partners = [
        {
            "name": "Firm",
            "partnership_types": ["training"],
            "contacts": [{"name": "Pat\u0000Lee", "email": "p@firm.test"}],
        }
    ]
    path = write_campaign(tmp_path, campaign_settings("ctrl", 1, 1, partners))
    result = cli_no_db("campaign", "validate", path)
    assert result.code == 2 and "U+0000" in result.err and "contacts" in result.err and "Traceback" not in result.err


def test_text_that_looks_like_markup_prints_as_itself(cli, tmp_path):
    path = tmp_path / "markup.csv"
    path.write_text("organisation;email;contact_name\n[/x] Ltd [bold];m@markup.test;[red]Pat[/]\n", encoding="utf-8")
    assert cli("partners", "import", path).code == 0
    listed = cli("partners", "list")
    assert listed.code == 0 and "[/x] Ltd [bold]" in listed.out
    shown = cli("partners", "show", "m@markup.test")
    assert shown.code == 0 and "[/x] Ltd [bold]" in shown.out and "[red]Pat[/]" in shown.out


def test_a_port_in_use_names_the_option_to_change(cli_no_db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli_no_db("sandbox", "config/campaign.sandbox.yaml", "--imap-port", str(port))
    assert result.code == 2 and f"port {port} is in use: choose another with --imap-port" in result.err
    assert "Traceback" not in result.err
