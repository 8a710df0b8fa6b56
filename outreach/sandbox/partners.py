"""Scripted partners: what each one answers to the mail it receives. Pure: a message in,
the answers out (built with the standard `email` package and `icalendar`)."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText


class Behaviour(str, enum.Enum):  # noqa: UP042 (str and Enum: its members print as they always have)
    ACCEPTS = "replies, then accepts the meeting"
    DECLINES = "replies, then declines the meeting"
    OUT_OF_OFFICE = "is out of office"
    BOUNCES = "has left: the address bounces"
    OPTS_OUT = "asks to be removed"
    SILENT = "does not answer"
    ASKS = "replies with a question"
    NOT_NOW = "says not now, ask again in March"
    NOT_INTERESTED = "says no, thank you"


# The order the cast is dealt in: every outcome is seen with the example's seven contacts.
CAST_ORDER = [
    Behaviour.ACCEPTS,
    Behaviour.DECLINES,
    Behaviour.OUT_OF_OFFICE,
    Behaviour.BOUNCES,
    Behaviour.OPTS_OUT,
    Behaviour.SILENT,
    Behaviour.ASKS,
]


# The demo's own partners (added to the example by `outreach demo`): a "not now", a "no" and a
# partner whose only contact opts out, so the pipeline shows later, declined and opted out.
DEMO_PARTNERS: list[dict[str, Any]] = [
    {
        "name": "Brightwater Hotel School",
        "country": "IE",
        "source": "other",
        "partnership_types": ["training"],
        "contacts": [
            {
                "name": "Maeve Okafor",
                "email": "m.okafor@brightwater-hotels.example",
                "register": "formal",
                "timezone": "Europe/Dublin",
            }
        ],
        "behaviour": Behaviour.NOT_NOW,
    },
    {
        "name": "Meridian Freight Ltd",
        "country": "IE",
        "source": "employer",
        "partnership_types": ["hr_talent"],
        "contacts": [
            {
                "name": "Tom Walsh",
                "email": "t.walsh@meridian-freight.example",
                "register": "formal",
                "timezone": "Europe/Dublin",
            }
        ],
        "behaviour": Behaviour.NOT_INTERESTED,
    },
    {
        "name": "Eastgate Retail Group",
        "country": "IE",
        "source": "employer",
        "partnership_types": ["training"],
        "contacts": [
            {
                "name": "Sinead Ryan",
                "email": "s.ryan@eastgate-retail.example",
                "register": "formal",
                "timezone": "Europe/Dublin",
            }
        ],
        "behaviour": Behaviour.OPTS_OUT,
    },
]
SCRIPTED = {p["contacts"][0]["email"]: p["behaviour"] for p in DEMO_PARTNERS}


def cast(addresses: list[str]) -> dict[str, Behaviour]:
    """Deal the behaviours to the contacts in the campaign's order (the demo's own partners
    keep theirs); more contacts stay silent."""
    dealt = iter(CAST_ORDER)
    return {address: SCRIPTED.get(address) or next(dealt, Behaviour.SILENT) for address in addresses}


REPLIES = {
    Behaviour.ACCEPTS: "Thank you for reaching out. We would very much like to explore hosting apprentices "
    "with you. An exploration meeting sounds good.",
    Behaviour.DECLINES: "Thank you for your message, this sounds interesting. Happy to talk at some point.",
    Behaviour.NOT_NOW: "Thank you for thinking of us. Not this term: we are in the middle of an audit. Please get "
    "back to us in March, we would be glad to talk then.",
    Behaviour.NOT_INTERESTED: "Thank you for your message. We have decided not to take part; we cover our training "
    "needs with our existing partners.",
    Behaviour.ASKS: "Thanks for the introduction. Could you tell us more about the Erasmus+ mobility "
    "programmes you run and what a partner would be expected to contribute?",
}
OPT_OUT = "Please remove me from your mailing list. We are not looking for partnerships."
AGREED = (
    "Thank you for the summary of our meeting. Agreed on the next steps; I will send the MoU draft to our director."
)


def calendar_of(received: Message) -> Calendar | None:
    """The message's iCalendar part, parsed, or None."""
    for part in received.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)  # a leaf part decodes to bytes
            return Calendar.from_ical(payload)
    return None


def answers(behaviour: Behaviour, received: Message, today: date, earlier: int = 0) -> list[EmailMessage]:
    """What a partner with this behaviour sends back to a message they received, `earlier`
    being how many messages (not invitations) they had received before it."""
    invitation = calendar_of(received)
    if invitation is not None:
        if invitation.get("method", "").upper() != "REQUEST":
            return []
        if behaviour is Behaviour.ACCEPTS:
            return [calendar_reply(received, invitation, "ACCEPTED", "Looking forward to it.")]
        if behaviour is Behaviour.DECLINES and _sequence(invitation) == 0:
            return [calendar_reply(received, invitation, "DECLINED", "Sorry, that day is taken by our trade fair.")]
        return []
    if earlier and behaviour is Behaviour.ACCEPTS and not _is_follow_up(received):
        return [reply(received, AGREED)]  # the next steps after the meeting
    if earlier:
        return []  # everyone else answers the first message only
    if behaviour in REPLIES:
        return [reply(received, REPLIES[behaviour])]
    if behaviour is Behaviour.OPTS_OUT:
        return [reply(received, OPT_OUT)]
    if behaviour is Behaviour.OUT_OF_OFFICE:
        return [out_of_office(received, today + timedelta(days=14))]
    if behaviour is Behaviour.BOUNCES:
        return [bounce(received)]
    return []


def _is_follow_up(received: Message) -> bool:
    return bool(received.get("In-Reply-To") or received.get("References"))


def _recipient(received: Message) -> str:
    return getaddresses(received.get_all("To", []))[0][1]


def _answer_to(received: Message) -> str:
    return str(received.get("Reply-To") or received["From"])


def _base(received: Message, sender: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = _answer_to(received)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].rstrip(">"))
    if received.get("Message-ID"):
        message["In-Reply-To"] = received["Message-ID"]
        message["References"] = " ".join(filter(None, [received.get("References"), received["Message-ID"]]))
    return message


def _quoted(received: Message) -> str:
    body = received.get_body(preferencelist=("plain",)) if isinstance(received, EmailMessage) else None
    text = body.get_content() if body is not None else ""
    return "\n".join("> " + line for line in text.splitlines()[:12])


def reply(received: Message, text: str) -> EmailMessage:
    message = _base(received, str(received["To"]), "Re: " + str(received["Subject"]))
    written = format_datetime(datetime.now().astimezone())
    message.set_content(f"{text}\n\nKind regards\n\nOn {written}, {received['From']} wrote:\n{_quoted(received)}\n")
    return message


def out_of_office(received: Message, back: date) -> EmailMessage:
    message = _base(received, str(received["To"]), "Out of office: " + str(received["Subject"]))
    message["Auto-Submitted"] = "auto-replied (vacation)"
    message.set_content(
        f"I am out of the office until {back:%d %B %Y} with limited access to email. "
        f"I will answer your message when I am back.\n"
    )
    return message


def bounce(received: Message) -> EmailMessage:
    """A delivery status notification (RFC 3464) from the partner's mail server."""
    recipient = _recipient(received)
    domain = recipient.rpartition("@")[2]
    message = _base(
        received, f"Mail Delivery System <MAILER-DAEMON@mx.{domain}>", "Undelivered Mail Returned to Sender"
    )
    message.replace_header("To", getaddresses([str(received["From"])])[0][1])  # to the envelope sender
    message["Auto-Submitted"] = "auto-replied"
    del message["In-Reply-To"], message["References"]
    message.set_content(
        f"This is the mail system at mx.{domain}.\n\nYour message could not be delivered "
        f"to {recipient}: the mailbox does not exist.\n"
    )
    status = Message()
    status["Content-Type"] = "message/delivery-status"
    status.set_payload(
        [
            _block({"Reporting-MTA": f"dns; mx.{domain}"}),
            _block(
                {
                    "Final-Recipient": f"rfc822; {recipient}",
                    "Action": "failed",
                    "Status": "5.1.1",
                    "Diagnostic-Code": f"smtp; 550 5.1.1 <{recipient}>: User unknown",
                }
            ),
        ]
    )
    returned = Message()
    returned["Content-Type"] = "text/rfc822-headers"
    returned.set_payload(
        "".join(
            f"{name}: {value}\n"
            for name, value in received.raw_items()
            if name.lower() in ("from", "to", "subject", "date", "message-id")
        )
    )
    message.make_mixed()
    message.attach(status)  # type: ignore[arg-type]  # typeshed wants an EmailMessage; any Message attaches
    message.attach(returned)  # type: ignore[arg-type]  # as above
    message.set_type("multipart/report")
    message.set_param("report-type", "delivery-status")
    return message


def _block(fields: dict[str, str]) -> Message:
    block = Message()
    for name, value in fields.items():
        block[name] = value
    return block


def _sequence(calendar: Calendar) -> int:
    for event in calendar.walk("VEVENT"):
        return int(event.get("sequence", 0))
    return 0


def calendar_reply(received: Message, invitation: Calendar, partstat: str, comment: str) -> EmailMessage:
    """An iTIP REPLY (RFC 5546) as a calendar client sends it when its user answers."""
    invited = next(iter(invitation.walk("VEVENT")))
    attendee_address = _recipient(received)
    answer = Calendar()
    answer.add("prodid", "-//Outreach sandbox//Partner calendar//EN")
    answer.add("version", "2.0")
    answer.add("method", "REPLY")
    event = Event()
    for key in ("uid", "sequence", "dtstart", "dtend", "organizer", "summary"):
        if key in invited:
            event[key] = invited[key]
    event.add("dtstamp", datetime.now().astimezone())
    attendee = vCalAddress(f"mailto:{attendee_address}")
    attendee.params["partstat"] = vText(partstat)
    event.add("attendee", attendee, encode=False)
    event.add("comment", comment)
    answer.add_component(event)
    word = "Accepted" if partstat == "ACCEPTED" else "Declined"
    message = _base(received, str(received["To"]), f"{word}: {invited.get('summary', received['Subject'])}")
    message.set_content(f"{word}: {comment}\n")
    message.add_alternative(answer.to_ical(), maintype="text", subtype="calendar", params={"method": "REPLY"})
    return message
