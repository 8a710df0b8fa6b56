"""Six weeks of a campaign on a fake clock: follow-ups on the right business day in each
contact's timezone and country, never twice, never after a reply; against a real database."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from outreach.campaign import load_campaign
from outreach.db.models import Interaction, Partner
from outreach.domain.business_days import business_days_after, is_business_day
from outreach.domain.vocabulary import Direction, InteractionKind
from outreach.rendering import Renderer
from outreach.services.outbound import campaigns
from tests.support.campaigns import campaign_settings, write_campaign
from tests.test_sending_rules import Clock, FakeOutbox, run_tick, send_all

START = datetime(
    2027, 3, 22, 7, 0, tzinfo=UTC
)  # Monday before Easter; Good Friday and Easter Monday are holidays in DE
PEOPLE = [
    ("Replies Soon GmbH", "DE", "Europe/Berlin"),
    ("Stadtwerke", "DE", "Europe/Berlin"),
    ("Harbour Inc", "US", "America/New_York"),
]


def test_six_weeks_of_follow_ups(uow, tmp_path):
    partners = [
        {
            "name": name,
            "country": country,
            "partnership_types": ["training"],
            "contacts": [{"name": f"Person {i}", "email": f"p{i}@firm{i}.test", "timezone": zone}],
        }
        for i, (name, country, zone) in enumerate(PEOPLE)
    ]
    settings = campaign_settings(
        "six-weeks",
        1,
        1,
        partners,
        sequence=[
            {"name": "follow-up-1", "after_business_days": 4, "template": "follow_up"},
            {"name": "follow-up-2", "after_business_days": 10, "template": "follow_up"},
        ],
        sending={
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "09:00",
            "end": "17:00",
            "timezone": "Europe/Berlin",
            "seconds_between_messages": 0,
        },
    )
    campaigns.queue(uow.session, load_campaign(write_campaign(tmp_path, settings)), Renderer(), START)
    uow.commit()
    outbox, clock = FakeOutbox(), Clock(START)
    replied = False
    while clock.now < START + timedelta(weeks=6):
        send_all(uow, outbox, clock, run_tick(uow, outbox, clock))
        if not replied and clock.now >= START + timedelta(days=2):  # the first partner answers on Wednesday
            partner = uow.session.scalar(sa.select(Partner).where(Partner.name == PEOPLE[0][0]))
            uow.session.add(
                Interaction(
                    partner=partner,
                    direction=Direction.IN,
                    kind=InteractionKind.EMAIL,
                    subject="Re: Proposal",
                    occurred_at=clock.now,
                )
            )
            uow.commit()
            replied = True
        clock.now += timedelta(minutes=30)

    sent = defaultdict(list)
    for message in outbox.sent:
        sent[message["To"].addresses[0].addr_spec].append(message)
    assert [m["Subject"] for m in sent["p0@firm0.test"]] == ["Proposal for potential collaboration"]
    for i in (1, 2):
        zone = ZoneInfo(PEOPLE[i][2])
        messages = sent[f"p{i}@firm{i}.test"]
        assert [m["Subject"] for m in messages] == ["Proposal for potential collaboration"] + [
            "Re: Proposal for potential collaboration"
        ] * 2
        times = [datetime.strptime(m["Date"], "%a, %d %b %Y %H:%M:%S %z").astimezone(zone) for m in messages]
        first = times[0]
        expected = [business_days_after(first, n, PEOPLE[i][2], PEOPLE[i][1]).date() for n in (4, 10)]
        assert [t.date() for t in times[1:]] == expected
        for moment in times:
            assert is_business_day(moment.date(), PEOPLE[i][1]) and 9 <= moment.hour < 17
        assert messages[1]["In-Reply-To"] == messages[0]["Message-ID"] == messages[2]["References"]
    # Berlin: 4 business days after Monday 22 March skip Good Friday and Easter Monday
    assert business_days_after(
        datetime(2027, 3, 22, 9, tzinfo=ZoneInfo("Europe/Berlin")), 4, "Europe/Berlin", "DE"
    ).date() == date(2027, 3, 30)
    berlin = [datetime.strptime(m["Date"], "%a, %d %b %Y %H:%M:%S %z") for m in sent["p1@firm1.test"]]
    assert [d.date() for d in berlin[1:]] == [date(2027, 3, 30), date(2027, 4, 7)]
