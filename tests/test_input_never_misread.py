"""Input is never silently misread: a known contact's address under another organisation is
refused (naming the file, the line or row, and both organisations) or moved on request and
reported; every value error in a campaign, meeting-outcome or spreadsheet file names the file,
the line or row, the field, the value and the form to use, in plain words and without a
traceback; one short CSV row does not mislead the separator; the paths a campaign names are
checked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.models import Contact, Partner, Step
from tests.support.campaigns import campaign_settings, write_campaign
from tests.test_campaign_file import MINIMAL

NORDHAFEN = [
    {
        "name": "Nordhafen Logistik GmbH",
        "partnership_types": ["training"],
        "contacts": [{"name": "Klaus Becker", "email": "k.becker@nordhafen.test"}],
    }
]
JARGON = ("Input should", "should have", "valid date or datetime", "input is too short", "Traceback", "pydantic")


def plain(text: str) -> bool:
    return not any(word in text for word in JARGON)


def test_a_second_campaign_cannot_rename_a_partner_through_a_known_address(cli, uow, tmp_path):
    assert cli("campaign", "queue", write_campaign(tmp_path, campaign_settings("first", 1, 1, NORDHAFEN))).code == 0
    second = campaign_settings("second", 1, 1, [{**NORDHAFEN[0], "name": "Südhafen Spedition"}])
    path = write_campaign(tmp_path, second)
    refused = cli("campaign", "queue", path)
    assert refused.code == 2 and plain(refused.err)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), start=1) if "k.becker@nordhafen.test" in text)
    assert (
        f"{path}:{line}: partners[0].contacts[0].email: k.becker@nordhafen.test is a contact of "
        f"'Nordhafen Logistik GmbH' in the logbook, but here it is under 'Südhafen Spedition'" in refused.err
    )
    assert "--move-contact" in refused.err and "nothing was written" in refused.err
    uow.session.expire_all()
    assert uow.session.scalars(sa.select(Partner.name)).all() == ["Nordhafen Logistik GmbH"]  # not renamed

    moved = cli("campaign", "queue", path, "--move-contact")
    assert (
        moved.code == 0
        and "moved: k.becker@nordhafen.test from Nordhafen Logistik GmbH to Südhafen Spedition"
        in moved.out.replace("\n", " ")
    )
    uow.session.expire_all()
    contact = uow.session.scalar(sa.select(Contact).where(Contact.email == "k.becker@nordhafen.test"))
    assert contact.partner.name == "Südhafen Spedition"
    assert sorted(uow.session.scalars(sa.select(Partner.name))) == ["Nordhafen Logistik GmbH", "Südhafen Spedition"]
    pending = uow.session.scalars(sa.select(Step).where(Step.contact_id == contact.id)).all()
    assert {s.partner_id for s in pending} == {contact.partner_id}  # its mail still to go went with it


def test_an_import_names_the_row_and_both_organisations(cli, uow, tmp_path):
    assert cli("campaign", "queue", write_campaign(tmp_path, campaign_settings("first", 1, 1, NORDHAFEN))).code == 0
    sheet = tmp_path / "logbook.csv"
    sheet.write_text(
        "Organisation;E-Mail;country\nMüller GmbH;anna@mueller.test;DE\n"
        "Südhafen Spedition;k.becker@nordhafen.test;DE\n",
        encoding="utf-8",
    )
    refused = cli("partners", "import", sheet)
    assert refused.code == 2 and plain(refused.err)
    assert f"{sheet}:3: E-Mail: k.becker@nordhafen.test is a contact of 'Nordhafen Logistik GmbH'" in refused.err
    assert "'Südhafen Spedition'" in refused.err
    uow.session.expire_all()
    assert uow.session.scalars(sa.select(Partner.name)).all() == ["Nordhafen Logistik GmbH"]  # nothing written
    moved = cli("partners", "import", sheet, "--move-contact")
    assert (
        moved.code == 0
        and "moved: k.becker@nordhafen.test from Nordhafen Logistik GmbH to Südhafen Spedition"
        in moved.out.replace("\n", " ")
    )


def test_the_same_address_under_two_organisations_in_one_file_is_refused(cli, uow, tmp_path):
    twice = [*NORDHAFEN, {"name": "Südhafen Spedition", "contacts": [{"email": "k.becker@nordhafen.test"}]}]
    refused = cli("campaign", "queue", write_campaign(tmp_path, campaign_settings("twice", 1, 1, twice)))
    assert refused.code == 2 and "is a contact of 'Nordhafen Logistik GmbH' in an earlier row" in refused.err


@pytest.mark.parametrize(
    "field, value, form",
    [
        ("meeting.availability.holidays[0]", "'02.04.2027'", "YYYY-MM-DD"),
        ("meeting.availability.holidays[0]", "'2026-13-45'", "YYYY-MM-DD"),
        ("sending.start", "'9am'", "HH:MM"),
        ("sending.max_per_hour", "'many'", "whole number"),
        ("sending.timezone", "'Berlin'", "Europe/Berlin"),
        ("meeting.duration_minutes", "500", "at most 240"),
    ],
)
def test_a_value_error_names_the_file_line_field_value_and_form(cli_no_db, tmp_path, field, value, form):
    sections = {
        "meeting.availability.holidays[0]": "meeting:\n  availability:\n    holidays: [{}]\n",
        "sending.start": "sending:\n  start: {}\n",
        "sending.max_per_hour": "sending:\n  max_per_hour: {}\n",
        "sending.timezone": "sending:\n  timezone: {}\n",
        "meeting.duration_minutes": "meeting:\n  duration_minutes: {}\n",
    }
    path = tmp_path / "campaign.yaml"
    text = MINIMAL + sections[field].format(value.strip("'"))
    path.write_text(text, encoding="utf-8")
    line = len(text.splitlines())
    result = cli_no_db("campaign", "validate", path)
    assert result.code == 2 and plain(result.err), result.err
    [problem] = [p for p in result.err.splitlines() if p.startswith(str(path))]
    assert problem.startswith(f"{path}:{line}: {field}: ") and value in problem and form in problem, problem


def test_a_meeting_outcome_with_a_bad_date_names_it_without_a_traceback(cli, tmp_path):
    notes = tmp_path / "outcome.yaml"
    notes.write_text(
        "takeaways: [A mobility partnership]\nactions:\n  - what: Send the dates\n    owner: Jana\n"
        "    due: 2026-13-45\n  - what: Check the budget\n    owner: Klaus\n    due: 31.12.2026\n",
        encoding="utf-8",
    )
    result = cli("meeting", "outcome", "1", "--notes", notes)
    assert result.code == 2 and plain(result.err), result.err
    assert f"{notes}:5: actions[0].due: '2026-13-45' is not a date; write it as YYYY-MM-DD" in result.err
    assert f"{notes}:8: actions[1].due: '31.12.2026' is not a date; write it as YYYY-MM-DD" in result.err


def test_a_spreadsheet_value_error_names_the_row_column_value_and_form(cli, tmp_path):
    sheet = tmp_path / "logbook.csv"
    sheet.write_text("Organisation;E-Mail;influence\nMüller GmbH;anna@mueller.test;9\n", encoding="utf-8")
    result = cli("partners", "import", sheet)
    assert result.code == 2 and plain(result.err), result.err
    assert f"{sheet}:2: influence: '9' is too large; use at most 5" in result.err


def test_one_short_row_does_not_mislead_the_separator(tmp_path):
    (tmp_path / "logbook.csv").write_text(
        "Organisation;country;E-Mail;role\nMüller GmbH;DE;anna@mueller.test;Head of training\n"
        "Schmidt KG;DE\nBecker AG;DE;jan@becker.test;Trainer\n",
        encoding="utf-8",
    )
    path = tmp_path / "campaign.yaml"
    path.write_text(
        MINIMAL + "partners_file:\n  path: logbook.csv\n  columns: {organisation: Organisation}\n", encoding="utf-8"
    )
    campaign = load_campaign(path)  # before: "the file has no column 'Organisation'; it has: Organisation;country;..."
    assert [p.name for p in campaign.partners][1:] == ["Müller GmbH", "Schmidt KG", "Becker AG"]
    assert campaign.contact_count == 3


@pytest.mark.parametrize(
    "setting, problem",
    [
        ("message:\n  template_dir: my-templates\n", "message.template_dir: 'PATH/my-templates' is not a folder"),
        (None, "mailbox.auth.password_file: '/run/secrets/nowhere' is not a file"),
    ],
)
def test_the_paths_a_campaign_names_are_checked(cli_no_db, tmp_path, setting, problem):
    text = MINIMAL + (setting or "")
    if setting is None:
        text = text.replace("    password_env: OUTREACH_TEST_PASSWORD", "    password_file: /run/secrets/nowhere")
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli_no_db("campaign", "validate", path)
    assert result.code == 2 and problem.replace("PATH", str(tmp_path)) in result.err, result.err
    (tmp_path / "my-templates").mkdir()
    if setting is not None:
        assert load_campaign(path).settings.message.template_dir == tmp_path / "my-templates"


@pytest.mark.parametrize("command", ["watch", "run"])
def test_since_names_the_form_of_a_date(cli_no_db, command):
    result = cli_no_db(command, "--since", "02.04.2026")
    assert result.code == 2 and "--since: '02.04.2026' is not a date; write it as YYYY-MM-DD" in result.err
