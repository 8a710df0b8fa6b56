"""libical (the C library behind Evolution, Thunderbird's old core and many servers), through
a small C program compiled on first use: it reads an invitation, builds the zone from the file's
own VTIMEZONE (never libical's built-in tz data) and prints each occurrence's UTC instant."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from tests.support.services import missing

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".cache" / "libical"
SOURCE = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libical/ical.h>

/* stdin: an iCalendar object; argv[1]: the end as a UTC time_t. stdout: one UTC instant a line,
   then "zone-from-file" when the zone came from the file's VTIMEZONE. */
int main(int argc, char **argv) {
    static char text[1 << 20];
    size_t length = fread(text, 1, sizeof(text) - 1, stdin);
    text[length] = 0;
    icalcomponent *root = icalparser_parse_string(text);
    if (!root) { fprintf(stderr, "not iCalendar\n"); return 2; }
    icalcomponent *definition = icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT);
    icalcomponent *event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
    if (!definition || !event) { fprintf(stderr, "no VTIMEZONE or no VEVENT\n"); return 2; }
    icaltimezone *zone = icaltimezone_new();
    if (!icaltimezone_set_component(zone, icalcomponent_new_clone(definition))) {
        fprintf(stderr, "libical refused the VTIMEZONE\n");
        return 3;
    }
    icalproperty *start_property = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
    struct icaltimetype start = icalproperty_get_dtstart(start_property);
    start.zone = zone;  /* the file's zone, whatever libical may know of the TZID */
    struct icalrecurrencetype rule = icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY)
        ? icalproperty_get_rrule(icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY))
        : icalrecurrencetype_from_string("FREQ=DAILY;COUNT=1");
    icalrecur_iterator *it = icalrecur_iterator_new(rule, start);
    time_t end = (time_t) atoll(argv[1]);
    for (struct icaltimetype next = icalrecur_iterator_next(it); !icaltime_is_null_time(next);
         next = icalrecur_iterator_next(it)) {
        next.zone = zone;
        time_t instant = icaltime_as_timet_with_zone(next, zone);
        if (instant >= end) break;
        printf("%lld\n", (long long) instant);
    }
    icalrecur_iterator_free(it);
    printf("zone-from-file %s\n", icaltimezone_get_tzid(zone));
    return 0;
}
"""


def occurrences_program() -> Path:
    """The compiled reader (a skip, or a failure in CI, when libical's headers are missing)."""
    program = BUILD / "occurrences"
    if program.exists():
        return program
    if not Path("/usr/include/libical/ical.h").exists() or shutil.which("gcc") is None:
        missing("libical", "install Debian's libical-dev and gcc (`.ci/run` does)")
    BUILD.mkdir(parents=True, exist_ok=True)
    (BUILD / "occurrences.c").write_text(SOURCE)
    built = subprocess.run(
        ["gcc", "-O1", "-o", str(program), str(BUILD / "occurrences.c"), "-lical"], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    return program


def read_with_libical(ics: bytes, end: datetime) -> tuple[list[datetime], str]:
    """Each occurrence before `end` as libical reads it through the file's VTIMEZONE, and the zone's TZID."""
    done = subprocess.run(
        [str(occurrences_program()), str(int(end.timestamp()))], input=ics, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    *instants, zone = done.stdout.decode().splitlines()
    from datetime import UTC

    return [datetime.fromtimestamp(int(line), UTC) for line in instants], zone.removeprefix("zone-from-file ")
