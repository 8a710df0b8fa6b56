"""`outreach run` on the embedded default, idle with its watcher in IDLE mode: resident
memory and CPU over a minute (goal: under 150 MB and close to 0% CPU).

The mailbox is the sandbox mail server (real IMAP with IDLE, on loopback) in this process;
`outreach run` is a separate process, measured with psutil. The example campaign is queued
and sent first, its partners answer, then nothing is due for days: that quiet is measured.

    python bench/idle_footprint.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from outreach.campaign import load_campaign
from outreach.sandbox.server import for_campaign
from worker.demo import prepare_folder, write_demo_campaign

ROOT = Path(__file__).resolve().parents[1]


def outreach(folder: Path, *args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "OUTREACH_DATA": str(folder), "DATABASE_URL": f"sqlite:///{folder / 'outreach.db'}"}
    env.pop("REDIS_URL", None)
    return subprocess.Popen([sys.executable, "-m", "outreach", *args], cwd=ROOT, env=env, **popen)


def watcher_mode(log: Path) -> str | None:
    for line in log.read_text().splitlines():
        if line.startswith("{") and "watching" in (entry := json.loads(line))["message"]:
            return entry["message"].rsplit("(", 1)[-1].rstrip(")")
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="how long to measure the quiet")
    parser.add_argument("--warm-up", type=float, default=25, help="seconds to send the campaign and take the answers")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="idle-footprint-")) / "run"
    prepare_folder(folder)
    example = ROOT / "config" / "campaign.example.yaml"
    sandbox = for_campaign(load_campaign(example), folder / "sandbox").start()
    log = folder / "run.log"
    try:
        campaign = write_demo_campaign(example, folder, sandbox)
        if outreach(folder, "campaign", "queue", str(campaign), stdout=subprocess.DEVNULL).wait() != 0:
            print("could not queue the campaign")
            return 1
        run = outreach(folder, "--log-json", "run", stdout=subprocess.DEVNULL, stderr=log.open("w"))
        process = psutil.Process(run.pid)
        time.sleep(options.warm_up)
        mode = watcher_mode(log)
        cpu_before, started = process.cpu_times(), time.monotonic()
        peak = 0
        while time.monotonic() - started < options.seconds:
            peak = max(peak, process.memory_info().rss)
            time.sleep(1)
        cpu_after, wall = process.cpu_times(), time.monotonic() - started
        rss = process.memory_info().rss
        run.terminate()
        run.wait(timeout=90)
    finally:
        sandbox.stop()
    cpu = (cpu_after.user + cpu_after.system - cpu_before.user - cpu_before.system) / wall
    print(
        f"outreach run, idle {wall:.0f} s after sending "
        f"{len(list((folder / 'sandbox' / 'mail').glob('*.eml')))} messages; "
        f"watcher mode: {mode}"
    )
    print(f"resident memory: {rss / 2**20:.0f} MiB (peak {peak / 2**20:.0f} MiB; goal under 150 MB)")
    print(f"CPU: {cpu:.2%} of one core (goal: close to 0%)")
    print(f"stopped with SIGTERM: exit {run.returncode}")
    return 0 if mode == "idle" and peak < 150 * 10**6 and run.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
