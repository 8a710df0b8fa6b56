"""The campaign file: validated whole, every problem reported with its line and field."""

import re
import shutil
from pathlib import Path

import pytest

from outreach.campaign import load_campaign
from outreach.errors import InvalidInput

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "campaign.example.yaml"

MINIMAL = """\
name: test-campaign
institution:
  name: Riverside Vocational College
  who_we_are: A VET provider.
  what_we_offer: [Dual education]
  what_we_are_looking_for: [Host companies]
  why_partner_with_us: [Experience]
  contact:
    name: Jana Weber
    position: Partnership Officer
    email: jana@riverside.test
mailbox:
  address: partnerships@riverside.test
  display_name: Jana Weber
  smtp: {host: smtp.riverside.test, port: 587, security: starttls}
  imap: {host: imap.riverside.test, port: 993, security: ssl}
  auth:
    username: partnerships@riverside.test
    password_env: OUTREACH_TEST_PASSWORD
partners:
  - name: Nordhafen Logistik GmbH
    country: NO
    contacts:
      - email: k.becker@nordhafen.test
        language: no
"""


def write(tmp_path: Path, text: str, name: str = "campaign.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_campaign(path)
    return [str(p) for p in caught.value.problems]


def test_the_example_campaign_validates_with_its_partners_file():
    campaign = load_campaign(EXAMPLE)
    assert campaign.settings.name == "employers-2027"
    assert len(campaign.partners) == 6 and campaign.contact_count == 7
    names = {p.name for p in campaign.partners}
    assert "Stadtwerke Südheide" in names and "Kraków Skills Hub" in names
    assert [s.after_business_days for s in campaign.settings.sequence] == [4, 10]


def test_the_example_uses_only_reserved_domains():
    text = EXAMPLE.read_text(encoding="utf-8") + (ROOT / "config" / "partners.example.csv").read_text(
        encoding="utf-8-sig"
    )
    domains = set(re.findall(r"[\w.+-]+@([\w.-]+)", text)) | set(re.findall(r"https?://([\w.-]+)", text))
    assert domains, "the example names no address at all"
    assert all(d.endswith((".example", ".test")) for d in domains), domains


def test_norway_stays_norway_and_times_stay_times(tmp_path):
    text = MINIMAL + "sending:\n  start: 08:30\n  end: 17:00\n"
    campaign = load_campaign(write(tmp_path, text))
    assert campaign.partners[0].country == "NO"
    assert campaign.partners[0].contacts[0].language == "no"
    assert (campaign.settings.sending.start.hour, campaign.settings.sending.end.hour) == (8, 17)


def test_misspelt_key_invalid_email_and_missing_field_are_reported_together(tmp_path):
    text = (
        MINIMAL.replace("  display_name: Jana Weber\n", "")
        .replace("        language: no", "        langauge: no")
        .replace("k.becker@nordhafen.test", "k.becker(at)nordhafen.test")
    )
    problems = problems_of(write(tmp_path, text))
    source = str(tmp_path / "campaign.yaml")
    assert f"{source}:12: mailbox.display_name: required field is missing" in problems
    assert (
        f"{source}:23: partners[0].contacts[0].email: 'k.becker(at)nordhafen.test' is not a valid email address: "
        "An email address must have an @-sign." in problems
    )
    assert (
        f"{source}:24: partners[0].contacts[0].langauge: unknown key 'langauge'; did you mean 'language'?" in problems
    )
    assert len(problems) == 3


def test_an_inline_password_is_refused_at_its_line(tmp_path):
    text = MINIMAL.replace("    password_env: OUTREACH_TEST_PASSWORD", "    password: hunter2")
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'campaign.yaml'}:19: mailbox.auth.password: secrets are never written")


def test_exactly_one_secret_source(tmp_path):
    text = MINIMAL.replace(
        "    password_env: OUTREACH_TEST_PASSWORD", "    password_env: A\n    oauth2_token_file: /run/secrets/token"
    )
    [problem] = problems_of(write(tmp_path, text))
    assert "mailbox.auth: give exactly one of" in problem and "password_env, oauth2_token_file" in problem


def test_a_line_break_in_a_header_value_is_refused(tmp_path):
    text = MINIMAL.replace("  display_name: Jana Weber", '  display_name: "Jana\\r\\nBcc: all@victims.test"')
    [problem] = problems_of(write(tmp_path, text))
    assert "mailbox.display_name: must be on one line" in problem


def test_a_key_given_twice_is_an_error_not_an_override(tmp_path):
    text = MINIMAL.replace("  display_name: Jana Weber\n", "  display_name: Jana Weber\n  display_name: Someone Else\n")
    [problem] = problems_of(write(tmp_path, text))
    assert problem == f"{tmp_path / 'campaign.yaml'}:15: mailbox.display_name: this key is given twice; keep one"


def test_broken_yaml_names_the_line(tmp_path):
    text = MINIMAL.replace("  display_name: Jana Weber", "  display_name: [Jana Weber")
    [problem] = problems_of(write(tmp_path, text))
    assert re.match(rf"{re.escape(str(tmp_path / 'campaign.yaml'))}:1[45]: \(yaml\): ", problem)


def test_a_campaign_needs_partners_and_steps_in_order(tmp_path):
    text = MINIMAL.split("partners:")[0] + (
        "sequence:\n  - {name: a, after_business_days: 10}\n  - {name: b, after_business_days: 4}\n"
    )
    [problem] = problems_of(write(tmp_path, text))
    assert problem.endswith(":20: sequence: after_business_days must grow from step to step")
    [problem] = problems_of(write(tmp_path, MINIMAL.split("partners:")[0]))
    assert problem.endswith(
        ":1: (top level): a campaign needs partners: list them under 'partners' or name a 'partners_file'"
    )


def test_partners_file_problems_come_with_the_campaign_file(tmp_path):
    (tmp_path / "logbook.csv").write_text(
        "Firma;E-Mail;country\nMüller GmbH;anna@mueller.test;DE\nBad AG;not-an-address;DE\n",
        encoding="utf-8-sig",
    )
    text = MINIMAL + "partners_file:\n  path: logbook.csv\n  columns: {organisation: Firma}\n"
    with pytest.raises(InvalidInput) as caught:
        load_campaign(write(tmp_path, text))
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'logbook.csv'}:3: E-Mail: 'not-an-address' is not a valid email address: "
        "An email address must have an @-sign."
    ]
    (tmp_path / "logbook.csv").write_text(
        "Firma;E-Mail;country\nMüller GmbH;anna@mueller.test;DE\n", encoding="utf-8-sig"
    )
    campaign = load_campaign(write(tmp_path, text))
    assert [p.name for p in campaign.partners] == ["Nordhafen Logistik GmbH", "Müller GmbH"]


def test_a_contact_both_inline_and_in_the_file_is_reported(tmp_path):
    (tmp_path / "logbook.csv").write_text("organisation,email\nNordhafen,k.becker@nordhafen.test\n", encoding="utf-8")
    text = MINIMAL + "partners_file:\n  path: logbook.csv\n"
    [problem] = problems_of(write(tmp_path, text))
    assert problem.endswith("partners_file: k.becker@nordhafen.test is listed inline too; keep it in one place")


def test_validate_command_exit_codes(cli_no_db, tmp_path):
    shutil.copy(ROOT / "config" / "partners.example.csv", tmp_path)
    ok = cli_no_db("campaign", "validate", EXAMPLE)
    assert ok.code == 0, ok
    assert "employers-2027" in ok.out and "6 partners, 7 contacts" in ok.out
    bad = cli_no_db("campaign", "validate", write(tmp_path, MINIMAL.replace("  display_name: Jana Weber\n", "")))
    assert bad.code == 2
    assert "mailbox.display_name: required field is missing" in bad.err
    assert "1 problem; nothing was written" in bad.err
    missing = cli_no_db("campaign", "validate", tmp_path / "nope.yaml")
    assert missing.code == 2 and "nope.yaml: (file): no such file" in missing.err
    assert not (tmp_path / "untouched.db").exists()
