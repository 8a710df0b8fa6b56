"""What mail systems send back: bounces (RFC 3464 reports and the common plain texts), delay
notices, complaints (ARF reports and the non-ARF feedback of webmail providers) and read
receipts. Pure functions over `InboundMessage`; every search runs over capped text.

A bounce's reason comes from its enhanced status code (RFC 3463) and the server's own words;
where the two disagree, the words that say our mail was refused (spam, policy, blocked) win,
because calling a refusal "user unknown" would lose a partner for good.
"""

from __future__ import annotations

import email
import re

from outreach.inbound.kinds import Bounce, BounceReason, Complaint, Delayed, Receipt
from outreach.inbound.message import ADDRESS, InboundMessage, content_of, message_ids

R = BounceReason
DETECTOR_CAP = 512 * 1024
DAEMONS = re.compile(
    r"^(?:mailer[-_]?daemon|postmaster|mail[-_]?daemon|mail[-_]?delivery[-_]?(?:system|subsystem)?|"
    r"mdaemon|bounces?|noreply-dmarc-support|microsoftexchange\w{0,40})$",
    re.IGNORECASE,
)
BOUNCE_SUBJECTS = re.compile(
    r"undeliver|undelivered|returned mail|return(?:ed)? to sender|delivery status notification|"
    r"delivery (?:has )?fail|failure notice|failed delivery|delivery failure|mail delivery (?:failed|system)|"
    r"non[- ]?delivery|could not be delivered|message not delivered|"
    r"unzustellbar|nicht zugestellt|nicht zustellbar|zustellung fehlgeschlagen|fehlgeschlagen|"
    r"non remis|non distribuable|échec de (?:la )?(?:remise|distribution)|impossible de remettre|"
    r"no se puede entregar|no entregado|no se ha podido entregar|error de entrega|"
    r"impossibile recapitare|non recapitabile|mancato recapito|"
    r"onbestelbaar|niet bezorgd|kan niet worden bezorgd|"
    r"niedostarczon|nie można dostarczyć|nie dostarczono|"
    r"não entregue|falha na entrega|não foi possível entregar|"
    r"kunde inte levereras|olevererbart|"
    r"недоставлен|не доставлен|投递失败|退信|配信不能|배달 실패",
    re.IGNORECASE,
)
DELAY_SUBJECTS = re.compile(
    r"\(delay\)|delayed|delivery delay|warning: could not send|still being retried|not yet been delivered|"
    r"delivery warning|"
    r"verzögert|verzögerung|retardé|retardée|retrasad|ritardat|vertraagd|opóźnion|atrasad",
    re.IGNORECASE,
)
COMPLAINT_SENDERS = re.compile(
    r"^(?:staff@hotmail\.com|scomp@aol\.net|feedback@arf\.mail\.yahoo\.com|"
    r"(?:abuse|fbl|feedback|complaints?|jmrp|arf|spamreport)[-@].{0,200})$",
    re.IGNORECASE,
)
COMPLAINT_SUBJECTS = re.compile(
    r"complaint about message|abuse report|spam report|email feedback report|"
    r"feedback loop|fbl report|tos notification|junk mail report|reported as spam",
    re.IGNORECASE,
)
RECEIPT_SUBJECTS = re.compile(
    r"^\s*(?:read|not read|gelesen|ungelesen|nicht gelesen|lu|non lu|leído|no leído|letto|non letto|"
    r"gelezen|niet gelezen|przeczytano|przeczytana|nieprzeczytana|lida|lido|läst|oläst)\s*:",
    re.IGNORECASE,
)

# Words servers use, most telling first. A refusal of our mail is looked for before the
# words of a missing address: "550 5.7.1 blocked ... user" is a block, not a lost address.
REASON_WORDS: list[tuple[BounceReason, re.Pattern[str]]] = [
    (reason, re.compile(words, re.IGNORECASE))
    for reason, words in [
        (
            R.SPAM_OR_CONTENT,
            r"\bspam\b|\bspammy\b|spam score|junk|unsolicited|bulk mail|content (?:filter|rejected|policy)|virus|"
            r"malware|"
            r"phish|suspicious|message (?:was )?(?:rejected|refused|blocked) (?:due to|because of) (?:its )?content|"
            r"attachment (?:type )?(?:not allowed|blocked)|banned (?:attachment|content|file)|"
            r"filtered|rejected as spam",
        ),
        (
            R.POLICY_OR_BLOCKED,
            r"blocked|block ?list|black ?list|blacklisted|listed (?:at|on|in|by)|spamhaus|spamcop|"
            r"barracuda|sorbs|\brbl\b|\bdnsbl\b|reputation|dmarc|\bspf\b|dkim|authenticat|"
            r"not authori[sz]ed|not permitted|prohibited|policy|relay(?:ing)? (?:access )?denied|"
            r"sender (?:address )?(?:rejected|denied|refused)|banned|denied by|refused by|"
            r"poor reputation|ptr|reverse dns|rdns|helo|tls required|encryption required",
        ),
        (
            R.RATE_LIMITED,
            r"rate limit|too many (?:messages|connections|recipients|mails)|receiving mail at a rate|"
            r"throttl|greylist|graylist|try again later|temporarily deferred|exceeded .{0,40}(?:rate|limit)|sending "
            r"limit",
        ),
        (
            R.MAILBOX_FULL,
            r"mailbox (?:is )?full|quota|over ?quota|insufficient (?:system )?storage|storage (?:space|allocation)|"
            r"mailbox (?:size|storage) (?:limit )?exceeded|exceeded (?:the )?storage|mail ?box .{0,20}full|"
            r"postfach (?:ist )?voll|boîte (?:aux lettres )?pleine|buzón lleno|casella piena",
        ),
        (
            R.MESSAGE_TOO_LARGE,
            r"too (?:big|large)|size (?:limit|exceeds)|exceeds (?:the )?(?:maximum )?(?:message )?size|"
            r"message size|message length exceeds|zu groß|trop volumineux",
        ),
        (
            R.MAILBOX_DISABLED,
            r"disabled|deactivated|inactive|suspended|no longer (?:active|available|in use|valid|with|accepts?)|"
            r"has been (?:closed|terminated|deleted|removed)|account (?:is )?(?:closed|expired|locked)|"
            r"mailbox (?:is )?(?:unavailable|locked|inactive)|moved|left the (?:company|organi[sz]ation)",
        ),
        (
            R.DOMAIN_UNKNOWN,
            r"host (?:or domain name )?not found|domain (?:not found|does not exist|unknown|invalid)|"
            r"no such (?:domain|host)|unknown (?:domain|host)|name service error|nxdomain|no mx|null mx|"
            r"unrouteable|unroutable|could not be resolved|dns (?:error|failure)|no route to host",
        ),
        (
            R.USER_UNKNOWN,
            r"user unknown|unknown user|no such (?:user|mailbox|recipient|address|account)|"
            r"(?:user|mailbox|recipient|address|account)(?: \S+)? (?:does not|doesn't|did not) exist|"
            r"(?:invalid|unknown|bad) (?:recipient|mailbox|address|user)|recipient (?:not found|unknown|invalid)|"
            r"(?:user|mailbox|address) (?:not found|unavailable|not listed)|not a valid (?:user|mailbox|recipient)|"
            r"unknown or illegal|undeliverable address|nosuchuser|resolver\.adr\.recipnotfound|"
            r"recipient address rejected|address rejected|no mailbox here|(?:does not|doesn't) have an? .{0,40}account|"
            r"unbekannt|existiert nicht|"
            r"inconnu|n'existe pas|no existe|inesistente|onbekend|nie istnieje",
        ),
    ]
]

# RFC 3463 subject.detail codes that say what happened without any words.
STATUS_REASONS = {
    "1.1": R.USER_UNKNOWN,
    "1.3": R.USER_UNKNOWN,
    "1.2": R.DOMAIN_UNKNOWN,
    "1.10": R.DOMAIN_UNKNOWN,
    "4.4": R.DOMAIN_UNKNOWN,
    "1.6": R.MAILBOX_DISABLED,
    "2.1": R.MAILBOX_DISABLED,
    "2.2": R.MAILBOX_FULL,
    "2.3": R.MESSAGE_TOO_LARGE,
    "3.4": R.MESSAGE_TOO_LARGE,
    "7.1": R.POLICY_OR_BLOCKED,
    "7.26": R.POLICY_OR_BLOCKED,
    "7.25": R.POLICY_OR_BLOCKED,
    "7.27": R.POLICY_OR_BLOCKED,
    "7.23": R.POLICY_OR_BLOCKED,
    "7.28": R.RATE_LIMITED,
    "4.7": R.DELAYED,
    "3.2": R.OTHER,
    "7.0": R.POLICY_OR_BLOCKED,
    "7.7": R.SPAM_OR_CONTENT,
}
NOTICE_ACTIONS = {"delayed", "delivered", "relayed", "expanded"}
ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
BASIC = re.compile(r"\b([45])\d\d(?=[ -])")


# --- what kind of report -----------------------------------------------------------------


def read_report(message: InboundMessage) -> Bounce | Delayed | Complaint | Receipt | None:
    report_type = message.report_type()
    types = message.content_types()
    if report_type == "disposition-notification" or "message/disposition-notification" in types:
        return _disposition(message)
    if report_type == "feedback-report" or "message/feedback-report" in types:
        return _complaint(message)
    if report_type == "delivery-status" or "message/delivery-status" in types:
        return _dsn(message)
    from_daemon = bool(DAEMONS.match(message.local_part))
    if _looks_like_complaint(message, from_daemon):
        return _complaint(message)
    automatic = from_daemon or message.header("Auto-Submitted").strip().lower() not in ("", "no")
    delay_notice = automatic and DELAY_SUBJECTS.search(message.subject)
    if from_daemon or delay_notice or BOUNCE_SUBJECTS.search(message.subject) or message.header("X-Failed-Recipients"):
        if DELAY_SUBJECTS.search(message.subject):
            return Delayed(_recipient(message, {}), returned_ids(message))
        return _plain_bounce(message)
    if RECEIPT_SUBJECTS.match(message.subject) and message.header("Content-Type").lower().startswith(
        "multipart/report"
    ):
        return Receipt()
    return None


def _disposition(message: InboundMessage) -> Bounce | Receipt:
    """A disposition notification: a read receipt, or (deleted, denied, failed) a refusal,
    as Sieve `reject` writes it (RFC 5429)."""
    fields = _report_fields(message, "message/disposition-notification")
    disposition = (fields[0].get("disposition", "") if fields else "").lower()
    if any(word in disposition for word in ("deleted", "denied", "failed", "rejected")):
        text = _human_text(message)
        status = _status_in_text(text)
        return Bounce(
            _recipient(message, fields[0] if fields else {}),
            returned_ids(message),
            reason_for(status, text),
            status,
            _diagnostic_line(text),
        )
    return Receipt()


def _looks_like_complaint(message: InboundMessage, from_daemon: bool) -> bool:
    """A webmail provider's feedback without ARF: its sender or subject, and the message attached."""
    if from_daemon:
        return False
    named = COMPLAINT_SENDERS.match(message.sender or "") or COMPLAINT_SUBJECTS.search(message.subject)
    returns = {"message/rfc822", "text/rfc822-headers"} & message.content_types()
    return bool(named and returns)


def _complaint(message: InboundMessage) -> Complaint:
    returned = returned_headers(message)
    fields = _report_fields(message, "message/feedback-report")
    recipient = (_address_in(fields[0].get("original-rcpt-to", "")) if fields else None) or returned.get("to")
    return Complaint(recipient, returned_ids(message))


# --- delivery status notifications --------------------------------------------------------


def _dsn(message: InboundMessage) -> Bounce | Delayed:
    blocks = _report_fields(message, "message/delivery-status")
    recipients = [b for b in blocks if "final-recipient" in b or "original-recipient" in b or "action" in b] or blocks
    failed = [
        b
        for b in recipients
        if b.get("action", "").lower().startswith("fail")
        or ("action" not in b and _status(b.get("status", "")).startswith("5"))
    ]
    notices = [b for b in recipients if b.get("action", "").lower().split(" ")[0] in NOTICE_ACTIONS]
    if notices and not failed:  # delayed, delivered, relayed, expanded: a notice, not a bounce
        chosen = recipients[0]
        return Delayed(_recipient(message, chosen), returned_ids(message), _status(chosen.get("status", "")) or None)
    chosen = failed[0] if failed else {}
    diagnostic = chosen.get("diagnostic-code", "").split(";", 1)[-1].strip() or None
    status = _status(chosen.get("status", "")) or _status(diagnostic or "") or _status_in_text(message.text) or None
    words = diagnostic or _human_text(message)
    return Bounce(
        _recipient(message, chosen),
        returned_ids(message),
        reason_for(status, words),
        status,
        (diagnostic or "")[:500] or None,
    )


def _plain_bounce(message: InboundMessage) -> Bounce:
    """A bounce without a report part (qmail, Exim, Exchange texts): read from the text."""
    text = _human_text(message)
    status = _status_in_text(text)
    return Bounce(
        _recipient(message, {}), returned_ids(message), reason_for(status, text), status, _diagnostic_line(text)
    )


def _human_text(message: InboundMessage) -> str:
    """The bounce's own words, without the copy of our message that follows them."""
    text = message.text
    for marker in (
        "--- Below this line is a copy of the message",
        "------ This is a copy of the message",
        "Original message follows",
        "----- Original message -----",
        "Received: from",
    ):
        cut = text.find(marker)
        if cut > 0:
            text = text[:cut]
    return text


def _diagnostic_line(text: str) -> str | None:
    for line in text.splitlines():
        if ENHANCED.search(line) or BASIC.search(line):
            return line.strip()[:500]
    return None


def reason_for(status: str | None, words: str) -> BounceReason:
    """The reason from the server's words where they are telling, else from the status."""
    by_words = next((reason for reason, pattern in REASON_WORDS if pattern.search(words[:8192])), None)
    by_status = _status_reason(status)
    if by_words is not None and (by_words.refused or by_words is R.RATE_LIMITED):
        return by_words
    if status and status.startswith("4") and by_words is not None and by_words.address_gone:
        by_words = None  # a temporary failure never proves that an address is gone
    if by_status is not None and by_status is not R.OTHER:
        return by_status
    if by_words is not None:
        return by_words
    return R.OTHER  # a DELAYED status was returned above; any other 4xx is OTHER


def _status_reason(status: str | None) -> BounceReason | None:
    found = ENHANCED.search(status or "")
    if not found:
        return None
    klass, subject, detail = found.groups()
    reason = STATUS_REASONS.get(f"{subject}.{detail}")
    if reason is None and subject == "7":
        reason = R.POLICY_OR_BLOCKED
    if reason is R.DELAYED and klass == "5":
        return R.OTHER
    return reason


# --- whom and which message ----------------------------------------------------------------


def _recipient(message: InboundMessage, chosen: dict[str, str]) -> str | None:
    """X-Failed-Recipients, then the report's Final- or Original-Recipient, then the To of
    the message that came back (ours go to one contact each), then the text: GNU Mailman's
    detectors first, then the first address that is not the sender's."""
    failed = message.addresses("X-Failed-Recipients")
    return (
        failed[0]
        if failed
        else None
        or _address_in(chosen.get("final-recipient", ""))
        or _address_in(chosen.get("original-recipient", ""))
        or returned_headers(message).get("to")
        or _detected(message)
        or _address_in_text(message)
    )


def _detected(message: InboundMessage) -> str | None:
    """The failed address as GNU Mailman's bounce detectors (flufl.bounce) read it: they know
    the texts of many mail servers. Run on messages already judged to be bounces, bounded."""
    if len(message.raw) > DETECTOR_CAP:
        return None
    try:
        from flufl.bounce import all_failures

        temporary, permanent = all_failures(email.message_from_bytes(message.raw))
    except Exception:  # the detectors are a help, never a reason to fail
        return None
    for found in sorted(permanent) + sorted(temporary):
        address = (found.decode("utf-8", "replace") if isinstance(found, bytes) else str(found)).strip("'\"<> ")
        if "@" in address and not DAEMONS.match(address.split("@")[0]):
            return address.lower()
    return None


def _address_in_text(message: InboundMessage) -> str | None:
    text = _human_text(message)
    bracketed = re.search(r"<([^<>\s@]{1,64}@[^<>\s]{1,255})>", text)
    if bracketed and not DAEMONS.match(bracketed.group(1).split("@")[0]):
        return bracketed.group(1).lower()
    found: str  # no groups in the pattern: findall gives strings
    for found in ADDRESS.findall(text):
        if found.lower() != (message.sender or "") and not DAEMONS.match(found.split("@")[0]):
            return found.lower()
    return None


def returned_ids(message: InboundMessage) -> tuple[str, ...]:
    """Message-IDs that name the message that came back: in the returned message or its
    headers, in a copy of it in the text, and in In-Reply-To/References."""
    ids = []
    returned = returned_headers(message).get("message-id")
    if returned:
        ids.append(returned)
    for found in re.finditer(r"(?im)^\s*(?:>\s*)?message-id:\s*(<[^<>\s]{1,990}>)", message.text[:65536]):
        ids.append(found.group(1))
    ids += message.thread_ids
    return tuple(dict.fromkeys(ids))


def returned_headers(message: InboundMessage) -> dict[str, str | None]:
    """To and Message-ID of the message that came back (message/rfc822 or text/rfc822-headers)."""
    for part in message.parts():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            try:
                inner = part.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else inner
                text = str(inner)[:65536] if inner is not None else ""
            except Exception:
                text = ""
        elif kind == "text/rfc822-headers":
            text = content_of(part)
        else:
            continue
        fields = _fields(re.split(r"\r?\n\r?\n", text, maxsplit=1)[0])
        ids = message_ids(fields.get("message-id", ""))
        return {"to": _address_in(fields.get("to", "")), "message-id": ids[0] if ids else None}
    return {}


def _report_fields(message: InboundMessage, content_type: str) -> list[dict[str, str]]:
    """The blocks of a machine-readable report part, each as lower-cased fields."""
    for part in message.parts():
        if part.get_content_type() != content_type:
            continue
        payload = part.get_payload()
        if isinstance(payload, list):  # the email package parses it into header blocks
            text = "\n\n".join(str(block) for block in payload[:100])
        else:
            text = content_of(part)
        return [_fields(block) for block in re.split(r"\r?\n[ \t]*\r?\n", text.strip()[:65536]) if block.strip()]
    return []


def _fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in re.sub(r"\r?\n[ \t]+", " ", block[:65536]).splitlines():
        name, sep, value = line.partition(":")
        if sep and len(name) < 80:
            fields.setdefault(name.strip().lower(), value.strip())
    return fields


def _address_in(value: str) -> str | None:
    value = value.split(";", 1)[-1]
    found = ADDRESS.search(value[:4096])
    return found.group(0).lower() if found else None


def _status(value: str) -> str:
    found = ENHANCED.search(value[:4096])
    return found.group(0) if found else ""


def _status_in_text(text: str) -> str | None:
    text = text[:16384]
    enhanced = _status(text)
    if enhanced:
        return enhanced
    found = BASIC.search(text)
    return found.group(0) if found else None
