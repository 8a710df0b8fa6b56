"""`outreach run` as a user starts it: embedded SQLite and the in-process broker, real SMTP
and Dovecot on loopback; it sends, and stops cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
import time

from tests.support.campaigns import PASSWORD_ENV, campaign_settings, write_campaign
from tests.support.dovecot import PASSWORD
from tests.support.mailboxes import messages, new_address, wait_for


def run_outreach(tmp_path, *args, **popen):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env[PASSWORD_ENV] = PASSWORD
    return subprocess.Popen(
        [sys.executable, "-m", "outreach", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


def test_run_sends_a_queued_campaign_on_the_embedded_default(tmp_path, dovecot, smtp_relay):
    addresses = [new_address() for _ in range(3)]
    partners = [
        {"name": f"Firm {i}", "partnership_types": ["training"], "contacts": [{"name": f"Person {i}", "email": a}]}
        for i, a in enumerate(addresses)
    ]
    path = write_campaign(tmp_path, campaign_settings("embedded", smtp_relay.port, dovecot.imap_port, partners))
    queued = run_outreach(tmp_path, "campaign", "queue", path.name)
    assert queued.wait(60) == 0, queued.stdout.read()
    run = run_outreach(tmp_path, "run", "--interval", "0.2", "--until-idle")
    output = run.communicate(timeout=120)[0]
    assert run.returncode == 0, output
    assert (tmp_path / "outreach.db").exists()
    for address in addresses:
        [message] = messages(dovecot, address)
        assert message["Subject"] == "Proposal for potential collaboration"


def test_run_stops_cleanly_on_sigterm(tmp_path):
    run = run_outreach(tmp_path, "run", "--interval", "0.2")
    wait_for(lambda: (tmp_path / "outreach.db").exists(), timeout=30, what="the database")
    time.sleep(1)
    run.send_signal(signal.SIGTERM)
    output = run.communicate(timeout=60)[0]
    assert run.returncode == 0, output
    assert "Traceback" not in output


def test_a_run_stopped_mid_campaign_and_started_again_loses_and_repeats_nothing(tmp_path, dovecot, smtp_relay):
    addresses = [new_address() for _ in range(12)]
    partners = [
        {"name": f"Firm {i}", "partnership_types": ["training"], "contacts": [{"name": f"Person {i}", "email": a}]}
        for i, a in enumerate(addresses)
    ]
    settings = campaign_settings("stop-start", smtp_relay.port, dovecot.imap_port, partners)
    settings["sending"]["seconds_between_messages"] = 2  # a pace, so the stop comes mid-campaign
    path = write_campaign(tmp_path, settings)
    assert run_outreach(tmp_path, "campaign", "queue", path.name).wait(60) == 0
    run = run_outreach(tmp_path, "run", "--interval", "0.5")
    wait_for(lambda: sum(len(messages(dovecot, a)) for a in addresses) >= 3, timeout=60, what="the first messages")
    run.send_signal(signal.SIGTERM)
    output = run.communicate(timeout=60)[0]
    assert run.returncode == 0, output
    delivered = sum(len(messages(dovecot, a)) for a in addresses)
    assert delivered < len(addresses), "the stop came too late to test anything"
    again = run_outreach(tmp_path, "run", "--interval", "0.5", "--until-idle")
    output = again.communicate(timeout=120)[0]
    assert again.returncode == 0, output
    assert [len(messages(dovecot, a)) for a in addresses] == [1] * len(addresses)


def test_logs_can_be_json_lines_without_message_bodies(tmp_path, dovecot, smtp_relay):
    import json as json_module

    address = new_address()
    path = write_campaign(
        tmp_path,
        campaign_settings(
            "logs",
            smtp_relay.port,
            dovecot.imap_port,
            [{"name": "Firm", "partnership_types": ["training"], "contacts": [{"name": "Person", "email": address}]}],
        ),
    )
    assert run_outreach(tmp_path, "campaign", "queue", path.name).wait(60) == 0
    run = run_outreach(tmp_path, "--log-json", "run", "--interval", "0.2", "--until-idle")
    output = run.communicate(timeout=120)[0]
    assert run.returncode == 0, output
    entries = [json_module.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert entries and all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert any(e["message"] == f"step 1: sent {address}" for e in entries)
    assert not any("Would you be available" in e["message"] or "secret" in e["message"] for e in entries)


def test_every_process_stops_within_five_seconds_of_sigterm(tmp_path, dovecot, smtp_relay):
    """`run` and `watch` with a watcher waiting in IDLE, `worker` and `scheduler`: each exits
    within 5 s of SIGTERM (docker stop gives 10 s, then SIGKILL)."""
    import threading

    address = new_address()
    path = write_campaign(
        tmp_path,
        campaign_settings(
            "stop",
            smtp_relay.port,
            dovecot.imap_port,
            [{"name": "Firm", "partnership_types": ["training"], "contacts": [{"name": "Person", "email": address}]}],
        ),
    )
    assert run_outreach(tmp_path, "campaign", "queue", path.name).wait(60) == 0
    for command, ready in (("run", "(idle)"), ("watch", "(idle)"), ("worker", "worker:"), ("scheduler", "scheduler:")):
        process = run_outreach(tmp_path, command)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
        reader.start()
        wait_for(lambda: any(ready in line for line in lines), timeout=60, what=f"`outreach {command}` ready")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        took = time.monotonic() - started
        reader.join(5)
        print(f"\noutreach {command}: stopped {took:.1f}s after SIGTERM")
        assert process.returncode == 0, "".join(lines)
        assert took < 5, f"outreach {command} took {took:.1f}s to stop"
        assert "Traceback" not in "".join(lines)
