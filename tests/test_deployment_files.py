"""docker-compose.yml names only commands the package has, and keeps secrets out."""

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
