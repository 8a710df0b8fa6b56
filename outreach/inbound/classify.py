"""What an inbound message is: a pure function over `InboundMessage`.

kinds: reply (a human answer), auto_reply (out of office and the like), bounce (with the
failed recipient and whether it is permanent), complaint (an ARF feedback report), opt_out,
calendar_reply (an iTIP REPLY or COUNTER, for the meeting logic), other.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone

from outreach.inbound.dates import return_date
from outreach.inbound.message import ADDRESS, InboundMessage, content_of
from outreach.inbound.quotes import new_text
from outreach.mail.compose import UNSUBSCRIBE_SUBJECT

REPLY, AUTO_REPLY, BOUNCE, COMPLAINT, OPT_OUT, CALENDAR_REPLY, OTHER = (
    "reply", "auto_reply", "bounce", "complaint", "opt_out", "calendar_reply", "other")


@dataclass(frozen=True)
class Classification:
    kind: str
    recipient: str | None = None
    permanent: bool | None = None
    return_date: date | None = None
    status: str | None = None
    returned_message_id: str | None = None
    itip_method: str | None = None

    def as_json(self) -> dict:
        data = {"kind": self.kind}
        if self.kind == BOUNCE:
            data.update(recipient=self.recipient, permanent=self.permanent, status=self.status)
        if self.kind == AUTO_REPLY:
            data["return_date"] = self.return_date.isoformat() if self.return_date else None
        if self.kind == CALENDAR_REPLY:
            data["method"] = self.itip_method
        return data


def classify(message: InboundMessage) -> Classification:
    for rule in (_calendar_reply, _complaint, _bounce, _auto_reply, _opt_out, _other):
        found = rule(message)
        if found is not None:
            return found
    return Classification(REPLY)


# --- calendar answers -------------------------------------------------------------------

def _calendar_reply(message: InboundMessage) -> Classification | None:
    for part in message.parts():
        kind = part.get_content_type()
        if kind not in ("text/calendar", "application/ics"):
            continue
        method = (part.get_param("method") or "").upper()
        if not method:
            found = re.search(r"^METHOD:(\w+)", content_of(part), re.MULTILINE | re.IGNORECASE)
            method = found.group(1).upper() if found else ""
        if method in ("REPLY", "COUNTER"):
            return Classification(CALENDAR_REPLY, itip_method=method)
    return None


# --- reports: complaints and bounces -----------------------------------------------------

def _report_type(message: InboundMessage) -> str:
    msg = message.message
    if msg.get_content_type() != "multipart/report":
        return ""
    return (msg.get_param("report-type") or "").lower()


def _complaint(message: InboundMessage) -> Classification | None:
    is_arf = _report_type(message) == "feedback-report" or any(
        p.get_content_type() == "message/feedback-report" for p in message.parts())
    if not is_arf:
        return None
    returned = _returned_headers(message)
    recipient = returned.get("to") or _first_address_not(message.text, message.sender)
    return Classification(COMPLAINT, recipient=recipient, returned_message_id=returned.get("message-id"))


BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
BOUNCE_SUBJECTS = re.compile(
    r"undeliver|returned mail|delivery status notification|delivery (?:has )?failed|failure notice|"
    r"mail delivery (?:failed|system)|non[- ]?delivery|unzustellbar|nicht zugestellt|"
    r"non remis|échec de (?:la )?remise|no se puede entregar|impossibile recapitare|"
    r"onbestelbaar|niedostarczalna|kunde inte levereras",
    re.IGNORECASE,
)
DELAY_SUBJECTS = re.compile(r"\(delay\)|delayed|delivery delayed|warning: could not send|verzögert|retardé", re.IGNORECASE)


def _bounce(message: InboundMessage) -> Classification | None:
    if _report_type(message) == "delivery-status":
        return _dsn(message)
    if BOUNCE_SENDERS.match(message.sender or "") or BOUNCE_SUBJECTS.search(message.subject):
        if DELAY_SUBJECTS.search(message.subject):
            return Classification(OTHER)
        return _plain_bounce(message)
    return None


def _dsn(message: InboundMessage) -> Classification:
    """An RFC 3464 delivery status notification."""
    recipients = _dsn_recipients(message)
    failed = [r for r in recipients if r.get("action", "").lower() == "failed"]
    if recipients and not failed:  # delayed, delivered, relayed: a notice, not a bounce
        return Classification(OTHER)
    chosen = failed[0] if failed else {}
    recipient = _address_in(chosen.get("final-recipient") or chosen.get("original-recipient") or "")
    returned = _returned_headers(message)
    recipient = recipient or returned.get("to") or _first_address_not(message.text, message.sender)
    status = _status(chosen.get("status", "")) or _status_in_text(message.text)
    return Classification(BOUNCE, recipient=recipient, permanent=_permanent(status), status=status,
                          returned_message_id=returned.get("message-id"))


def _dsn_recipients(message: InboundMessage) -> list[dict]:
    for part in message.parts():
        if part.get_content_type() != "message/delivery-status":
            continue
        text = _delivery_status_text(part)
        blocks = [b for b in re.split(r"\r?\n\s*\r?\n", text.strip()) if b.strip()]
        return [_fields(block) for block in blocks[1:]] or [_fields(text)]
    return []


def _delivery_status_text(part) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # the email package parses it into header blocks
        return "\n\n".join(str(block) for block in payload)
    return content_of(part)


def _fields(block: str) -> dict:
    fields = {}
    for line in re.sub(r"\r?\n[ \t]+", " ", block).splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return fields


def _plain_bounce(message: InboundMessage) -> Classification:
    """A non-standard bounce from a mailer-daemon: the address and code read from the text."""
    returned = _returned_headers(message)
    recipient = returned.get("to") or _failed_address_in_text(message)
    status = _status_in_text(message.text)
    return Classification(BOUNCE, recipient=recipient, permanent=_permanent(status), status=status,
                          returned_message_id=returned.get("message-id"))


def _returned_headers(message: InboundMessage) -> dict:
    """To and Message-ID of the message that came back (message/rfc822 or text/rfc822-headers)."""
    for part in message.parts():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            text = str(inner) if inner is not None else ""
        elif kind == "text/rfc822-headers":
            text = content_of(part)
        else:
            continue
        fields = _fields(text.split("\n\n", 1)[0])
        return {"to": _address_in(fields.get("to", "")), "message-id": _message_id(fields.get("message-id", ""))}
    return {}


def _failed_address_in_text(message: InboundMessage) -> str | None:
    text = message.text
    near = re.search(r"<([^<>\s]+@[^<>\s]+)>", text)
    return near.group(1).lower() if near else _first_address_not(text, message.sender)


def _first_address_not(text: str, sender: str | None) -> str | None:
    for found in ADDRESS.findall(text or ""):
        if found.lower() != (sender or "").lower() and not BOUNCE_SENDERS.match(found):
            return found.lower()
    return None


def _address_in(value: str) -> str | None:
    value = value.split(";", 1)[-1]
    found = ADDRESS.search(value)
    return found.group(0).lower() if found else None


def _message_id(value: str) -> str | None:
    found = re.search(r"<[^<>\s]+>", value)
    return found.group(0) if found else None


def _status(value: str) -> str | None:
    found = re.search(r"\b([245])\.\d{1,3}\.\d{1,3}\b", value)
    return found.group(0) if found else None


def _status_in_text(text: str) -> str | None:
    enhanced = _status(text)
    if enhanced:
        return enhanced
    found = re.search(r"\b([45])\d\d\b(?=[ -])", text)
    return found.group(0) if found else None


def _permanent(status: str | None) -> bool:
    """Hard (5.x.x, 5xx) or soft (4.x.x, 4xx); unknown counts as hard: the address failed."""
    return not (status or "5").startswith("4")


# --- automatic answers -------------------------------------------------------------------

# Out-of-office subjects put their words first ("Automatische Antwort: <our subject>").
AUTO_SUBJECTS = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|away from|on leave|"
    r"abwesenheit|automatische antwort|nicht im büro|"
    r"absence|réponse automatique|message d'absence|hors du bureau|"
    r"respuesta automática|fuera de la oficina|ausencia|"
    r"risposta automatica|fuori sede|fuori ufficio|assenza|"
    r"automatisch antwoord|afwezig|niet aanwezig|"
    r"odpowiedź automatyczna|automatyczna odpowiedź|poza biurem|nieobecn|"
    r"automatiskt svar|frånvaro|frånvarande|inte på kontoret)",
    re.IGNORECASE,
)


def _auto_reply(message: InboundMessage) -> Classification | None:
    if not (_auto_headers(message) or AUTO_SUBJECTS.search(message.subject)):
        return None
    sent = (message.date or datetime.now(timezone.utc)).date()
    return Classification(AUTO_REPLY, return_date=return_date(message.text, sent))


def _auto_headers(message: InboundMessage) -> bool:
    auto_submitted = message.header("Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if message.header("Precedence").strip().lower() in ("auto_reply", "auto-reply"):
        return True
    return any(message.header(name) for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"))


# --- opting out ---------------------------------------------------------------------------

OPT_OUT_SUBJECTS = re.compile(
    rf"^\s*(?:{UNSUBSCRIBE_SUBJECT}|abmelden|austragen|désinscription|desinscription|se désabonner|"
    r"darse de baja|baja|cancella(?:mi)?|disiscrivi(?:mi)?|afmelden|uitschrijven|wypisz|rezygnacja|"
    r"avregistrera|avsluta prenumeration|remove me)\b",
    re.IGNORECASE,
)
OPT_OUT_PHRASES = re.compile(
    r"\b(?:please )?(?:remove|delete|take|unsubscribe) (?:me|us|my (?:e-?mail|address)|our (?:e-?mail|address))\b|"
    r"\btake (?:me|us) off\b|\b(?:do not|don't|please don't|please do not|never) (?:contact|e-?mail|write to|mail) (?:me|us)\b|"
    r"\bstop (?:e-?mailing|contacting|writing to) (?:me|us)\b|\bno longer wish to receive\b|"
    r"\bentfernen sie mich\b|\bentferne mich\b|\bnehmen sie mich aus\b|\baus (?:ihrem|dem|eurem) verteiler\b|"
    r"\bkeine (?:weiteren )?(?:e-?mails|nachrichten|zusendungen)\b|\bkontaktieren sie (?:mich|uns) nicht\b|"
    r"\bne (?:plus )?me (?:plus )?contacter\b|\bne plus (?:me|nous) (?:contacter|écrire)\b|"
    r"\bretirez[- ](?:moi|nous)\b|\bdésinscri(?:re|vez)[- ]?(?:moi|nous)?\b|\bsupprime[rz][- ](?:moi|nous)\b|"
    r"\bno me (?:contacte|escriba)\w*\b|\bdar(?:me)? de baja\b|\bnon (?:mi )?(?:contatt|scriv)\w+\b|"
    r"\b(?:rimuover|cancellar|toglier)mi\b|"
    r"\bverwijder (?:mij|mijn)\b|\bniet meer (?:benaderen|contacteren|mailen)\b|"
    r"\busu[nń]\w* (?:mnie|mój|moj)\b|\bnie kontaktuj\w*\b|\bta bort mig\b|\bkontakta (?:mig|oss) inte\b",
    re.IGNORECASE,
)


def _opt_out(message: InboundMessage) -> Classification | None:
    if OPT_OUT_SUBJECTS.match(re.sub(r"^(?:re|aw|sv|tr|fw|wg|r|rif)\s*:\s*", "", message.subject, flags=re.I)):
        return Classification(OPT_OUT)
    if OPT_OUT_PHRASES.search(new_text(message.text)):
        return Classification(OPT_OUT)
    return None


# --- everything that is not a personal answer --------------------------------------------

def _other(message: InboundMessage) -> Classification | None:
    if message.header("List-Id") or message.header("Precedence").strip().lower() in ("bulk", "list", "junk"):
        return Classification(OTHER)
    if not new_text(message.text) and not message.subject:
        return Classification(OTHER)
    return None
