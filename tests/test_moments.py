"""Times in stored texts (to-dos, the digest) as staff read them: local, the zone beside."""

from datetime import UTC, datetime

from outreach.domain.moments import stamp

MOMENT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_a_moment_in_the_campaign_zone_with_its_abbreviation():
    assert stamp(MOMENT) == "2027-03-01 09:00 UTC"
    assert stamp(MOMENT, "Europe/Berlin") == "2027-03-01 10:00 CET"
    assert stamp(datetime(2027, 7, 1, 9, 0, tzinfo=UTC), "Europe/Berlin") == "2027-07-01 11:00 CEST"
    assert stamp(MOMENT, "America/Sao_Paulo") == "2027-03-01 06:00 UTC-03"  # no letters in tzdata
