"""docker-compose.yml names only commands the package has, and keeps secrets out."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_every_command_in_docker_compose_exists(cli_no_db):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    commands = [s["command"] for s in compose["services"].values() if s.get("build") == "."]
    assert commands, "no service runs the package"
    for command in commands:
        words = []
        for word in command:  # the command words, up to the first option
            if word.startswith("-"):
                break
            words.append(word)
        result = cli_no_db(*words, "--help")
        assert result.code == 0, (command, result)


def test_no_secret_is_written_in_docker_compose():
    text = (ROOT / "docker-compose.yml").read_text()
    for line in text.splitlines():
        if "PASSWORD" in line and ":" in line and not line.strip().startswith("#"):
            assert "${" in line, line


def compose_check(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_docker_compose_follows_the_compose_schema():
    result = compose_check(ROOT / "docker-compose.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_file(tmp_path):
    broken = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    broken["services"]["worker"]["stop_grace_period"] = ["60s"]  # must be a string
    broken["services"]["redis"]["healthcheck"]["retries"] = "twelve"
    (tmp_path / "docker-compose.yml").write_text(yaml.safe_dump(broken))
    result = compose_check(tmp_path / "docker-compose.yml")
    assert result.returncode == 1, result.stdout
    assert "stop_grace_period" in result.stdout + result.stderr


def test_the_sandbox_profile_plays_a_valid_campaign(cli_no_db, monkeypatch):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    sandbox = compose["services"]["sandbox"]
    assert sandbox["profiles"] == ["sandbox"] and sandbox["command"][0] == "sandbox"
    campaign = ROOT / sandbox["command"][1]
    result = cli_no_db("campaign", "validate", str(campaign))
    assert result.code == 0, result
