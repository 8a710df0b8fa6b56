"""What an inbound message is: a pure function over `InboundMessage`, giving one of the
typed results in `outreach.inbound.kinds`. Rules run in order; the first that recognises
the message wins; a message no rule claims is a human reply."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from outreach.inbound.dates import return_date
from outreach.inbound.kinds import AutoReply, CalendarReply, Classification, InboundKind, OptOut, Other, Reply, as_json
from outreach.inbound.message import InboundMessage, content_of
from outreach.inbound.reply import split_reply
from outreach.inbound.reports import read_report
from outreach.mail.compose import UNSUBSCRIBE_SUBJECT

__all__ = ["classify", "Classification", "InboundKind", "as_json"]


def classify(message: InboundMessage) -> Classification:
    for rule in (read_report, _calendar_reply, _challenge, _auto_reply, _opt_out, _other):
        found = rule(message)
        if found is not None:
            return found
    return Reply()


# --- calendar answers -------------------------------------------------------------------


def _calendar_reply(message: InboundMessage) -> CalendarReply | None:
    for part in message.parts():
        if part.get_content_type() not in ("text/calendar", "application/ics"):
            continue
        param = part.get_param("method")
        method = param.upper() if isinstance(param, str) else ""
        if not method:
            found = re.search(r"^METHOD:(\w{1,20})", content_of(part), re.MULTILINE | re.IGNORECASE)
            method = found.group(1).upper() if found else ""
        if method in ("REPLY", "COUNTER"):
            return CalendarReply(method)
    return None


# --- challenge-response: "please verify that you are human" -------------------------------

CHALLENGE = re.compile(
    r"sender verification|verify (?:that )?you are (?:a )?(?:human|real person|not a robot)|"
    r"(?:please )?(?:verify|confirm) (?:your|this) (?:e-?mail|message|address|identity)|"
    r"awaiting (?:your )?(?:verification|confirmation)|challenge[- ]response|spam ?arrest|boxbe|mailchannels|"
    r"approved? senders? list|add(?:ed)? (?:you )?to (?:my|the|our) (?:approved|allowed|white) ?list|"
    r"(?:your message|this message) (?:is|has been) (?:held|quarantined) (?:until|pending)|"
    r"click (?:the|this) link (?:below )?to (?:verify|confirm|deliver)|"
    r"absenderbestätigung|bestätigen sie ihre (?:e-?mail|nachricht)|vérifi(?:er|ez) (?:votre|que vous)",
    re.IGNORECASE,
)


def _challenge(message: InboundMessage) -> Other | None:
    if CHALLENGE.search(message.subject) or CHALLENGE.search(message.text[:4096]):
        return Other("a challenge-response check asks us to verify our address", for_staff=True)
    return None


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
    r"resposta automática|ausente|fora do escritório|"
    r"automatiskt svar|frånvaro|frånvarande|inte på kontoret)",
    re.IGNORECASE,
)


def _auto_reply(message: InboundMessage) -> AutoReply | None:
    if not (_auto_headers(message) or AUTO_SUBJECTS.search(message.subject)):
        return None
    sent = (message.date or datetime.now(UTC)).date()
    return AutoReply(return_date(message.text[:16384], sent))


def _auto_headers(message: InboundMessage) -> bool:
    auto_submitted = message.header("Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if message.header("Precedence").strip().lower() in ("auto_reply", "auto-reply"):
        return True
    if message.header("X-Auto-Response-Suppress") and AUTO_SUBJECTS.search(message.subject):
        return True
    return any(message.header(name) for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"))


# --- opting out ---------------------------------------------------------------------------

_OPT_OUT_WORDS = (
    rf"{UNSUBSCRIBE_SUBJECT}|unsubscribe me|abmelden|austragen|désinscription|desinscription|"
    r"se désabonner|désabonner|désabonnement|darse de baja|dar de baja|baja|cancella(?:mi)?|"
    r"disiscrivi(?:mi)?|afmelden|uitschrijven|wypisz(?: mnie)?|rezygnacja|rezygnuję|"
    r"descadastrar|cancelar (?:a )?inscrição|remover|avregistrera|avsluta prenumeration|remove me|"
    r"remove|stop|opt[- ]?out|"
    # the plain "no" the templates invite ("a short reply is enough")
    r"no\W{0,2}thank(?:s| you)|not interested|nein\W{0,2}danke|kein interesse|non\W{0,2}merci|"
    r"pas intéressée?s?|no\W{0,2}gracias|no (?:estamos )?interesad[oa]s?|no\W{0,2}grazie|"
    r"non (?:siamo )?interessat[oi]|nee\W{0,2}bedankt|geen interesse|nie\W{0,2}dziękuję|"
    r"nie jeste(?:m|śmy) zainteresowan[iay]|não\W{0,2}obrigad[oa]|sem interesse|nej tack"
)
OPT_OUT_ALONE = re.compile(
    rf"^\W*(?:please\W+|bitte\W+|svp\W+|por favor\W+|per favore\W+|proszę\W+)?(?:{_OPT_OUT_WORDS})"
    rf"(?:\W+(?:please|bitte|svp|s'il vous plaît|por favor|per favore|proszę|thanks|thank you|danke|merci))?\W*$",
    re.IGNORECASE,
)
OPT_OUT_PHRASES = re.compile(
    r"\b(?:please )?(?:remove|delete|take|unsubscribe) (?:me|us|my (?:e-?mail|address)|our (?:e-?mail|address))\b|"
    r"\btake (?:me|us) off\b|\b(?:do not|don't|please don't|please do not|never) (?:contact|e-?mail|write to|mail) "
    r"(?:me|us)\b|"
    r"\bstop (?:e-?mailing|contacting|writing to) (?:me|us)\b|\bno longer wish to receive\b|"
    r"\bentfernen sie mich\b|\bentferne mich\b|\bnehmen sie mich aus\b|\baus (?:ihrem|dem|eurem) verteiler\b|"
    r"\bkeine (?:weiteren )?(?:e-?mails|nachrichten|zusendungen)\b|\bkontaktieren sie (?:mich|uns) nicht\b|"
    r"\bne (?:plus )?me (?:plus )?contacter\b|\bne plus (?:me|nous) (?:contacter|écrire)\b|"
    r"\bretirez[- ](?:moi|nous)\b|\bdésinscri(?:re|vez)[- ]?(?:moi|nous)?\b|\bsupprime[rz][- ](?:moi|nous)\b|"
    r"\bno me (?:contacte|escriba)\w*\b|\bdar(?:me)? de baja\b|\bnon (?:mi )?(?:contatt|scriv)\w+\b|"
    r"\b(?:rimuover|cancellar|toglier)mi\b|"
    r"\bverwijder (?:mij|mijn)\b|\bniet meer (?:benaderen|contacteren|mailen)\b|"
    r"\busu[nń]\w* (?:mnie|mój|moj)\b|\bnie kontaktuj\w*\b|"
    r"\bn[ãa]o (?:me )?(?:contactem|contacte|enviem|envie)\b|\bremovam?-me\b|"
    r"\bta bort mig\b|\bkontakta (?:mig|oss) inte\b",
    re.IGNORECASE,
)
REPLY_PREFIX = re.compile(r"^(?:(?:re|aw|sv|tr|fw|fwd|wg|r|rif|odp|antw|res)\s*:\s*){1,5}", re.IGNORECASE)


def _opt_out(message: InboundMessage) -> OptOut | None:
    subject = REPLY_PREFIX.sub("", message.subject)
    if OPT_OUT_ALONE.match(subject[:200]) or OPT_OUT_PHRASES.search(subject):
        return OptOut()
    text = split_reply(message).new_text
    if OPT_OUT_ALONE.match(text[:200]) or OPT_OUT_PHRASES.search(text[:16384]):
        return OptOut()
    return None


# --- everything that is not a personal answer --------------------------------------------


def _other(message: InboundMessage) -> Other | None:
    if message.header("List-Id") or message.header("Precedence").strip().lower() in ("bulk", "list", "junk"):
        return Other("list or bulk mail")
    if not split_reply(message).logged_text and not message.subject:
        return Other("empty")
    return None
