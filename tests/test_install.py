"""Installing outside the clone: the wheel carries templates, examples and migrations; an
installed package finds them from any folder; `outreach init` gives a new user a starting
point that validates. (.ci/run also installs the built wheel in a new virtual environment
and runs the demo in an empty folder.)"""

from __future__ import annotations

import zipfile
from pathlib import Path

from outreach.rendering import BUILTIN_TEMPLATES
from outreach.resources import EXAMPLE_CAMPAIGN, packaged
from tests.support.services import missing

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_templates_examples_and_migrations():
    wheels = sorted((ROOT / ".cache" / "dist").glob("vet_outreach-*.whl"))
    if not wheels:
        missing(
            "the built wheel", "`.ci/run` builds it into .cache/dist (python -m pip wheel --no-deps -w .cache/dist .)"
        )
    wheel = wheels[-1]
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "outreach/templates/first_contact/formal.en.j2" in names and "outreach/templates/_message.html.j2" in names
    assert {"outreach/examples/campaign.example.yaml", "outreach/examples/partners.example.csv"} <= names
    assert "outreach/migrations/versions/0006_inbound_mail_never_lost.py" in names
    shipped = {n.removeprefix("outreach/templates/") for n in names if n.startswith("outreach/templates/")}
    on_disk = {str(p.relative_to(BUILTIN_TEMPLATES)) for p in BUILTIN_TEMPLATES.rglob("*.j2")}
    assert shipped == on_disk


def test_templates_and_the_example_are_found_inside_the_package():
    assert packaged("templates") == BUILTIN_TEMPLATES and (BUILTIN_TEMPLATES / "one_pager.html.j2").is_file()
    assert packaged(EXAMPLE_CAMPAIGN).is_file()
    # the people's folders stay where they look for them
    assert (ROOT / "templates" / "first_contact" / "formal.en.j2").is_file()
    assert (ROOT / "config" / "campaign.example.yaml").read_text() == packaged(EXAMPLE_CAMPAIGN).read_text()


def test_init_writes_a_starting_point_that_validates(cli_no_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli_no_db("init", "starter").code == 0
    folder = tmp_path / "starter"
    assert {p.name for p in folder.iterdir()} == {"campaign.yaml", "partners.csv", "partners.xlsx", "templates"}
    assert (folder / "templates" / "first_contact" / "informal.de.j2").is_file()
    assert "#" in (folder / "campaign.yaml").read_text()  # commented
    result = cli_no_db("campaign", "validate", folder / "campaign.yaml")
    assert result.code == 0, result
    from openpyxl import load_workbook

    header = [c.value for c in next(load_workbook(folder / "partners.xlsx").active.iter_rows(max_row=1))]
    assert header[0] == "Organisation" and "E-Mail" in header
    again = cli_no_db("init", "starter")
    assert again.code == 2 and "exists already" in again.err and "Traceback" not in again.err
