"""Mozilla's ical.js (the parser Thunderbird uses), run through node, installed on first use
into .cache/node (ignored by git)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.support.services import missing

ROOT = Path(__file__).resolve().parents[2]
PREFIX = ROOT / ".cache" / "node"
SCRIPT = """
import ICAL from "ical.js";
import { readFileSync } from "node:fs";
const text = readFileSync(0, "utf8");
const root = new ICAL.Component(ICAL.parse(text));
const event = root.getFirstSubcomponent("vevent");
const attendees = event.getAllProperties("attendee").map((p) => ({
  value: p.getFirstValue(), cn: p.getParameter("cn"), role: p.getParameter("role"),
  partstat: p.getParameter("partstat"), rsvp: p.getParameter("rsvp"),
}));
const ev = new ICAL.Event(event);
const occurrences = [];
if (ev.isRecurring()) {
  const it = ev.iterator();
  for (let i = 0; i < 3; i++) {
    const next = it.next();
    if (!next) break;
    occurrences.push(next.toJSDate().toISOString());
  }
}
const rrule = event.getFirstPropertyValue("rrule");
const timed = event.hasProperty("dtstart");  // a DECLINECOUNTER names no time
console.log(JSON.stringify({
  rrule: rrule ? rrule.toString() : null, occurrences,
  method: root.getFirstPropertyValue("method"), uid: ev.uid, sequence: ev.sequence,
  organizer: event.getFirstPropertyValue("organizer"), attendees,
  startUtc: timed ? ev.startDate.toJSDate().toISOString() : null,
  endUtc: timed ? ev.endDate.toJSDate().toISOString() : null,
  status: event.getFirstPropertyValue("status"), description: ev.description,
  comment: event.getFirstPropertyValue("comment"),
  timezones: root.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid")),
}));
"""


def ensure_icaljs() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing("node and npm", "install Node.js to run ical.js")
    if not (PREFIX / "node_modules" / "ical.js").exists():
        PREFIX.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["npm", "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "ical.js@2"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            missing("ical.js", done.stderr[-500:])
    script = PREFIX / "parse.mjs"
    script.write_text(SCRIPT)
    return script


def parse_with_icaljs(script: Path, ics: bytes) -> dict:
    done = subprocess.run(["node", str(script)], input=ics, capture_output=True, timeout=60, cwd=PREFIX)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)
