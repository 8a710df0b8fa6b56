"""Templates and config files are data: a campaign's own template runs sandboxed, broken
syntax is named by file and line, YAML aliases and nesting are bounded. And what the product
writes is for its owner only."""

from __future__ import annotations

import os
import stat

from outreach.adapters.yaml_source import load_yaml
from outreach.errors import InvalidInput
from tests.support.campaigns import campaign_settings, write_campaign

PARTNERS = [
    {"name": "Firm", "partnership_types": ["training"], "contacts": [{"name": "Pat Lee", "email": "p@firm.test"}]}
]


def campaign_with_template(tmp_path, body: str):
    folder = tmp_path / "own" / "first_contact"
    folder.mkdir(parents=True)
    (folder / "formal.en.j2").write_text(
        "{% block subject %}Hello{% endblock %}\n{% block text %}\n" + body + "\n{% endblock %}\n"
    )
    settings = campaign_settings("own", 1, 1, PARTNERS)
    settings["message"] = {"template_dir": str(tmp_path / "own"), "attach_one_pager": False}
    return write_campaign(tmp_path, settings)


def test_a_template_that_reaches_out_of_the_sandbox_is_refused_with_file_and_line(cli_no_db, tmp_path):
    path = campaign_with_template(
        tmp_path, "Dear {{ contact.name }},\n{{ contact.__class__.__mro__[1].__subclasses__() }}"
    )
    result = cli_no_db("campaign", "validate", path)
    assert result.code == 2 and "Traceback" not in result.err
    assert "first_contact/formal.en.j2:4" in result.err and "may not be used in a template" in result.err
    through_a_method = campaign_with_template(tmp_path / "m", "{{ contact.name.format.__globals__ }}")
    assert cli_no_db("campaign", "validate", through_a_method).code == 2


def test_broken_template_syntax_names_file_and_line(cli_no_db, tmp_path):
    path = campaign_with_template(tmp_path, "Dear {{ contact.name \nWelcome")
    result = cli_no_db("campaign", "validate", path)
    assert result.code == 2 and "Traceback" not in result.err
    assert "first_contact/formal.en.j2:" in result.err


def test_billion_laughs_deep_nesting_and_huge_files_are_refused_at_once(tmp_path):
    lol = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
    )
    cases = {
        "laughs.yaml": (lol, "aliases expand"),
        "deep.yaml": ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper"),
        "huge.yaml": ("a: '" + "x" * 1_100_000 + "'\n", "at most"),
    }
    for name, (text, said) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        try:
            load_yaml(path)
        except InvalidInput as error:
            assert said in str(error.problems[0]), error.problems
        else:
            raise AssertionError(f"{name} was accepted")


def test_what_the_product_writes_is_for_its_owner_only(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    previous = os.umask(0o022)
    try:
        assert cli("--database", f"sqlite:///{tmp_path / 'own.db'}", "partners", "list").code == 0
        assert cli("init", "starter").code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "own.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "starter").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "starter" / "campaign.yaml").stat().st_mode) == 0o600
