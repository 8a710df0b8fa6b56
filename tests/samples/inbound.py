"""A labelled set of inbound messages in the shapes real mail programs and servers send:
human replies (Gmail, Outlook, Apple Mail, Thunderbird) in eight languages, out-of-office
answers with and without headers, bounces (Postfix, Exim, qmail, Sendmail, Gmail, Exchange),
ARF complaints, opt-outs, iTIP calendar answers (Google, Outlook, Apple, Thunderbird) and
bulk mail. Each sample: (name, raw bytes, expected dict)."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

OURS = "partnerships@riverside.test"
OUR_ID = "<179587368356.14531.5476748913727748639@riverside.test>"
SUBJECT = "Proposal for potential collaboration"


def message(sender, subject, text, *, headers=None, html=None, to=OURS, reply=True) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = "Tue, 02 Mar 2027 09:15:00 +0100"
    msg["Message-ID"] = f"<{abs(hash((sender, subject, text))) % 10**12}@mail.partner.test>"
    if reply:
        msg["In-Reply-To"], msg["References"] = OUR_ID, OUR_ID
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


QUOTE_GMAIL = "\n\nOn Mon, 1 Mar 2027 at 10:00, Jana Weber <partnerships@riverside.test> wrote:\n> Dear Klaus Becker,\n> I hope this message finds you well. Please remove nothing.\n"
QUOTE_OUTLOOK = (
    "\n\n________________________________\nFrom: Jana Weber <partnerships@riverside.test>\n"
    "Sent: Monday, March 1, 2027 10:00 AM\nTo: Klaus Becker\nSubject: Proposal for potential collaboration\n\n"
    "Dear Klaus Becker, ... please remove me from ... (quoted, not theirs)\n"
)
QUOTE_APPLE = "\n\n> On 1 Mar 2027, at 10:00, Jana Weber <partnerships@riverside.test> wrote:\n> \n> Dear Camille,\n"

HUMAN = [
    (
        "gmail-en",
        "Klaus Becker <k.becker@nordhafen.test>",
        "Re: " + SUBJECT,
        "Dear Jana,\n\nthank you, we are interested. Could we talk next Tuesday?\n\nBest,\nKlaus" + QUOTE_GMAIL,
        {},
    ),
    (
        "outlook-de",
        "Jürgen Schäfer <j.schaefer@suedheide.test>",
        "AW: Vorschlag für eine mögliche Zusammenarbeit",
        "Hallo Frau Weber,\n\ngerne! Wann passt es Ihnen für ein kurzes Gespräch?\n\nViele Grüße\nJürgen Schäfer"
        + QUOTE_OUTLOOK,
        {"Thread-Index": "AQHZ1234", "X-MS-Has-Attach": "", "Content-Language": "de-DE"},
    ),
    (
        "apple-fr",
        "Camille Martin <camille@atelier.test>",
        "Re: Proposition de collaboration",
        "Bonjour,\n\nAvec plaisir, je suis disponible jeudi.\n\nCamille" + QUOTE_APPLE,
        {"X-Mailer": "Apple Mail (2.3731)"},
    ),
    (
        "thunderbird-es",
        "María García <maria@taller.test>",
        "Re: Propuesta de colaboración",
        "Hola Jana,\n\nnos interesa mucho. ¿Podemos hablar el lunes?\n\nSaludos,\nMaría" + QUOTE_GMAIL,
        {"User-Agent": "Mozilla Thunderbird"},
    ),
    (
        "gmail-it",
        "Luca Rossi <luca@officina.test>",
        "Re: Proposta di collaborazione",
        "Buongiorno,\n\nsiamo interessati, possiamo sentirci la prossima settimana?\n\nLuca",
        {},
    ),
    (
        "outlook-nl",
        "Sanne de Vries <sanne@bedrijf.test>",
        "RE: Voorstel voor samenwerking",
        "Beste Jana,\n\nGoed idee, laten we een afspraak maken.\n\nMet vriendelijke groet,\nSanne" + QUOTE_OUTLOOK,
        {},
    ),
    (
        "gmail-pl",
        "Łukasz Nowak <l.nowak@krakow.test>",
        "Re: " + SUBJECT,
        "Dzień dobry,\n\nchętnie porozmawiam. Czy pasuje czwartek?\n\nPozdrawiam,\nŁukasz" + QUOTE_GMAIL,
        {},
    ),
    (
        "apple-sv",
        "Sofia Lind <sofia@foretag.test>",
        "Sv: " + SUBJECT,
        "Hej Jana,\n\nvi är intresserade, hör av dig!\n\nSofia" + QUOTE_APPLE,
        {},
    ),
    (
        "colleague-no-threading",
        "Anna Berg <anna.berg@nordhafen.test>",
        "Your email to Klaus",
        "Hello Ms Weber,\n\nKlaus forwarded your message to me; I lead our apprenticeships. Happy to meet.\n\nAnna Berg",
        {},
    ),
    (
        "remove-someone-else",
        "Klaus Becker <k.becker@nordhafen.test>",
        "Re: " + SUBJECT,
        "Hi Jana,\n\nyes, interested! Please remove my colleague Tom from your list and write to me instead.\n\nKlaus",
        {},
    ),
    (
        "html-only-outlook",
        "Ayşe Demir <a.demir@suedheide.test>",
        "AW: Vorschlag",
        None,
        {"html": "<html><body><p>Guten Tag,</p><p>vielen Dank, wir melden uns.</p><p>Ayşe Demir</p></body></html>"},
    ),
    (
        "mentions-absence-in-body",
        "Aoife Byrne <aoife@harbourside.test>",
        "Re: Let's connect: potential collaboration",
        "Hi Jana,\n\nsorry for my absence last week, I was out of office. Yes, let's talk!\n\nAoife",
        {},
    ),
    ("short-thanks", "Ben Hall <ben@firm.test>", "Re: " + SUBJECT, "Thanks, will get back to you.", {}),
    (
        "decline-politely",
        "Chloé Petit <chloe@entreprise.test>",
        "RE: Proposition de collaboration",
        "Bonjour,\n\nmerci, mais ce n'est pas le bon moment pour nous. Peut-être l'année prochaine.\n\nChloé",
        {},
    ),
    (
        "unsubscribe-word-in-quote",
        "Zoë Adams <zoe@firm.test>",
        "Re: " + SUBJECT,
        "Sounds good, call me on Friday." + QUOTE_OUTLOOK,
        {},
    ),
    (
        "gmail-de-du",
        "Jonas Keller <jonas@werkstatt.test>",
        "Re: Lass uns vernetzen: mögliche Zusammenarbeit",
        "Hey Jana,\n\nklingt super, lass uns telefonieren!\n\nJonas" + QUOTE_GMAIL,
        {},
    ),
]


def human_replies():
    for name, sender, subject, text, extra in HUMAN:
        html = extra.pop("html", None) if "html" in extra else None
        msg = message(sender, subject, text or "", headers=extra, reply=name != "colleague-no-threading")
        if html:
            msg = message(sender, subject, "", headers={})
            msg.clear_content()
            msg.set_content(html, subtype="html")
        yield f"reply/{name}", msg.as_bytes(), {"kind": "reply"}


OOO = [
    (
        "exchange-en",
        "Automatic reply: " + SUBJECT,
        "Thank you for your email. I am out of the office until 12 March 2027 with limited access to email.",
        "2027-03-12",
    ),
    (
        "exchange-de",
        "Automatische Antwort: Vorschlag für eine mögliche Zusammenarbeit",
        "Vielen Dank für Ihre Nachricht. Ich bin bis zum 15.03.2027 nicht im Büro. In dringenden Fällen wenden Sie sich an ...",
        "2027-03-15",
    ),
    (
        "exchange-de-abwesenheit",
        "Abwesenheitsnotiz: Vorschlag",
        "Ich bin ab dem 22. März 2027 wieder erreichbar.",
        "2027-03-22",
    ),
    (
        "exchange-fr",
        "Réponse automatique : Proposition de collaboration",
        "Bonjour, je suis absente jusqu'au 20 mars inclus.",
        "2027-03-20",
    ),
    (
        "exchange-es",
        "Respuesta automática: Propuesta de colaboración",
        "Estaré fuera de la oficina hasta el 5 de abril.",
        "2027-04-05",
    ),
    (
        "exchange-it",
        "Risposta automatica: Proposta di collaborazione",
        "Sono fuori sede fino al 10/04/2027.",
        "2027-04-10",
    ),
    ("exchange-nl", "Automatisch antwoord: Voorstel voor samenwerking", "Ik ben afwezig tot 8 maart.", "2027-03-08"),
    ("exchange-pl", "Odpowiedź automatyczna: " + SUBJECT, "Jestem poza biurem do 14 marca 2027.", "2027-03-14"),
    ("exchange-sv", "Automatiskt svar: " + SUBJECT, "Jag är på semester och tillbaka den 9 mars.", "2027-03-09"),
    ("exchange-en-no-date", "Out of Office: " + SUBJECT, "I am travelling with limited access to email.", None),
]


def auto_replies():
    for name, subject, text, back in OOO:
        headers = {"X-MS-Exchange-Organization-AutoResponseSuppress": "All", "Thread-Topic": subject}
        yield (
            f"auto_reply/{name}",
            message("Someone <someone@partner.test>", subject, text, headers=headers).as_bytes(),
            {"kind": "auto_reply", "return_date": back},
        )
    yield (
        "auto_reply/gmail-vacation",
        message(
            "Klaus Becker <k.becker@nordhafen.test>",
            "Holiday",
            "I will be back on March 18th, 2027.",
            headers={"Auto-Submitted": "auto-replied", "Precedence": "bulk"},
        ).as_bytes(),
        {"kind": "auto_reply", "return_date": "2027-03-18"},
    )
    yield (
        "auto_reply/sieve-vacation",
        message(
            "Jürgen Schäfer <j.schaefer@suedheide.test>",
            "Re: Vorschlag",
            "Ich bin im Urlaub, zurück am 29.03.",
            headers={"Auto-Submitted": "auto-replied (vacation)"},
        ).as_bytes(),
        {"kind": "auto_reply", "return_date": "2027-03-29"},
    )
    yield (
        "auto_reply/x-autoreply",
        message(
            "info <info@firm.test>",
            "Re: " + SUBJECT,
            "We have received your message and will answer within 3 days.",
            headers={"X-Autoreply": "yes"},
        ).as_bytes(),
        {"kind": "auto_reply", "return_date": None},
    )
    yield (
        "auto_reply/precedence",
        message(
            "office <office@firm.test>",
            "Your message",
            "This mailbox is not monitored until 2027-03-05.",
            headers={"Precedence": "auto_reply"},
        ).as_bytes(),
        {"kind": "auto_reply", "return_date": "2027-03-05"},
    )


def _report(sender, subject, human, status_block, returned, returned_kind="message/rfc822", report="delivery-status"):
    boundary = "==report=="
    parts = [
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{human}\r\n",
        f"--{boundary}\r\nContent-Type: message/{'delivery-status' if report == 'delivery-status' else 'feedback-report'}\r\n\r\n{status_block}\r\n",
        f"--{boundary}\r\nContent-Type: {returned_kind}\r\n\r\n{returned}\r\n",
        f"--{boundary}--\r\n",
    ]
    head = (
        f"From: {sender}\r\nTo: {OURS}\r\nSubject: {subject}\r\nDate: Tue, 02 Mar 2027 09:15:00 +0100\r\n"
        f"Message-ID: <{abs(hash(subject + human)) % 10**12}@mx.partner.test>\r\nAuto-Submitted: auto-replied\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type={report}; boundary="{boundary}"\r\n\r\n'
    )
    return (head + "".join(parts)).encode()


def _returned(to):
    return (
        f"From: Jana Weber <{OURS}>\r\nTo: {to}\r\nSubject: {SUBJECT}\r\nMessage-ID: {OUR_ID}\r\n"
        "Date: Mon, 01 Mar 2027 10:00:00 +0100\r\n\r\nDear ...\r\n"
    )


def _status(recipient, status, action="failed", original=False, diagnostic="smtp; 550 5.1.1 User unknown"):
    field = "Original-Recipient" if original else "Final-Recipient"
    return (
        f"Reporting-MTA: dns; mx.partner.test\r\nArrival-Date: Tue, 2 Mar 2027 09:14:00 +0100\r\n\r\n"
        f"{field}: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\nDiagnostic-Code: {diagnostic}\r\n"
    )


def bounces():
    gone = "gone@nordhafen.test"
    yield (
        "bounce/postfix-dsn",
        _report(
            "MAILER-DAEMON@mx.partner.test (Mail Delivery System)",
            "Undelivered Mail Returned to Sender",
            "I'm sorry to have to inform you that your message could not be delivered.",
            _status(gone, "5.1.1"),
            _returned(gone),
        ),
        {"kind": "bounce", "recipient": gone, "permanent": True},
    )
    yield (
        "bounce/gmail-dsn-rfc822-headers",
        _report(
            "Mail Delivery Subsystem <mailer-daemon@googlemail.test>",
            "Delivery Status Notification (Failure)",
            "Address not found. Your message wasn't delivered to gone@nordhafen.test.",
            _status(gone, "5.1.1"),
            _returned(gone).split("\r\n\r\n")[0] + "\r\n",
            "text/rfc822-headers",
        ),
        {"kind": "bounce", "recipient": gone, "permanent": True},
    )
    yield (
        "bounce/exchange-ndr",
        _report(
            "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@partner.test>",
            "Undeliverable: " + SUBJECT,
            "Delivery has failed to these recipients or groups: Gone Person (gone@nordhafen.test)",
            _status("gone@nordhafen.test", "5.1.10", diagnostic="smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound"),
            _returned(gone),
        ),
        {"kind": "bounce", "recipient": gone, "permanent": True},
    )
    yield (
        "bounce/soft-mailbox-full",
        _report(
            "MAILER-DAEMON@mx.partner.test",
            "Undelivered Mail Returned to Sender",
            "The mailbox is full.",
            _status("full@firm.test", "4.2.2", diagnostic="smtp; 452 4.2.2 Mailbox full"),
            _returned("full@firm.test"),
        ),
        {"kind": "bounce", "recipient": "full@firm.test", "permanent": False},
    )
    yield (
        "bounce/original-recipient-only",
        _report(
            "postmaster@mx.partner.test",
            "Delivery Status Notification",
            "Delivery failed.",
            _status("old@firm.test", "5.2.1", original=True),
            _returned("old@firm.test"),
        ),
        {"kind": "bounce", "recipient": "old@firm.test", "permanent": True},
    )
    yield (
        "bounce/sendmail-dsn",
        _report(
            "Mail Delivery Subsystem <MAILER-DAEMON@relay.partner.test>",
            "Returned mail: see transcript for details",
            "----- The following addresses had permanent fatal errors -----\n<nobody@firm.test>",
            _status("nobody@firm.test", "5.1.1"),
            _returned("nobody@firm.test"),
        ),
        {"kind": "bounce", "recipient": "nobody@firm.test", "permanent": True},
    )
    yield (
        "delayed/delay-warning-dsn",
        _report(
            "MAILER-DAEMON@mx.partner.test",
            "Delayed Mail (still being retried)",
            "This is a warning only.",
            _status("slow@firm.test", "4.4.1", action="delayed"),
            _returned("slow@firm.test"),
        ),
        {"kind": "delayed"},
    )
    exim = (
        "This message was created automatically by mail delivery software.\n\nA message that you sent could not be "
        "delivered to one or more of its recipients. This is a permanent error. The following address(es) failed:\n\n"
        "  nouser@exim.test\n    host mx.exim.test [192.0.2.1]\n    SMTP error from remote mail server after RCPT TO:<nouser@exim.test>:\n"
        "    550 5.1.1 <nouser@exim.test>: Recipient address rejected: User unknown\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n"
        f"From: {OURS}\nTo: nouser@exim.test\nSubject: {SUBJECT}\n"
    )
    yield (
        "bounce/exim-plain",
        message(
            "Mail Delivery System <Mailer-Daemon@exim.test>",
            "Mail delivery failed: returning message to sender",
            exim,
            reply=False,
        ).as_bytes(),
        {"kind": "bounce", "recipient": "nouser@exim.test", "permanent": True},
    )
    qmail = (
        "Hi. This is the qmail-send program at mail.qmail.test.\nI'm afraid I wasn't able to deliver your message to "
        "the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        "<nobody@qmail.test>:\n192.0.2.7 does not like recipient.\nRemote host said: 550 5.1.1 no such user\n"
    )
    yield (
        "bounce/qmail-failure-notice",
        message("MAILER-DAEMON@mail.qmail.test", "failure notice", qmail, reply=False).as_bytes(),
        {"kind": "bounce", "recipient": "nobody@qmail.test", "permanent": True},
    )
    yield (
        "delayed/gmail-delay",
        message(
            "Mail Delivery Subsystem <mailer-daemon@googlemail.test>",
            "Delivery Status Notification (Delay)",
            "There was a temporary problem delivering your message to slow@firm.test. "
            "Gmail will retry for 46 more hours.",
            reply=False,
        ).as_bytes(),
        {"kind": "delayed"},
    )


def complaints():
    arf = (
        "Feedback-Type: abuse\r\nUser-Agent: SomeGenerator/1.0\r\nVersion: 1\r\n"
        "Original-Mail-From: <partnerships@riverside.test>\r\nArrival-Date: Tue, 2 Mar 2027 09:14:00 +0100\r\n"
    )
    for name in ("yahoo-arf", "isp-arf"):
        yield (
            f"complaint/{name}",
            _report(
                f"feedback@{name}.test",
                "Abuse report",
                "This is an email abuse report.",
                arf,
                _returned("angry@firm.test"),
                report="feedback-report",
            ),
            {"kind": "complaint"},
        )


OPT_OUTS = [
    ("list-unsubscribe-mailto", "unsubscribe", ""),
    ("de-verteiler", "Re: Vorschlag für eine mögliche Zusammenarbeit", "Bitte entfernen Sie mich aus Ihrem Verteiler."),
    ("en-remove-me", "Re: " + SUBJECT, "Please remove me from your mailing list."),
    ("en-not-interested", "RE: " + SUBJECT, "Not interested. Please do not contact us again."),
    ("fr-ne-plus", "RE: Proposition de collaboration", "Merci de ne plus me contacter."),
    ("es-no-contacten", "RE: Propuesta", "Por favor, no me contacten más."),
    ("it-non-contattare", "R: Proposta", "Vi prego di non contattarmi più."),
    ("nl-verwijder", "Antw: Voorstel", "Verwijder mij alstublieft van uw lijst."),
    ("pl-usun", "Odp: " + SUBJECT, "Proszę usunąć mnie z listy."),
    ("sv-ta-bort", "Sv: " + SUBJECT, "Ta bort mig från er lista, tack."),
    ("de-abmelden-subject", "Abmelden", "Danke."),
]


def opt_outs():
    for name, subject, text in OPT_OUTS:
        yield (
            f"opt_out/{name}",
            message("Someone <someone@partner.test>", subject, text).as_bytes(),
            {"kind": "opt_out"},
        )


def _ics(method, partstat, comment=""):
    return (
        "BEGIN:VCALENDAR\r\nPRODID:-//Partner//Calendar//EN\r\nVERSION:2.0\r\n"
        f"METHOD:{method}\r\nBEGIN:VEVENT\r\nUID:meeting-1@riverside.test\r\nSEQUENCE:0\r\n"
        "DTSTAMP:20270302T081500Z\r\nDTSTART:20270309T090000Z\r\nDTEND:20270309T094500Z\r\n"
        f"ORGANIZER:mailto:{OURS}\r\nATTENDEE;PARTSTAT={partstat}:mailto:k.becker@nordhafen.test\r\n"
        f"{'COMMENT:' + comment + chr(13) + chr(10) if comment else ''}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def calendar_replies():
    inline = message("Klaus Becker <k.becker@nordhafen.test>", "Accepted: Exploration meeting", "Klaus has accepted.")
    inline.add_alternative(_ics("REPLY", "ACCEPTED"), subtype="calendar", params={"method": "REPLY"})
    yield "calendar_reply/thunderbird-inline-accepted", inline.as_bytes(), {"kind": "calendar_reply"}
    google = message("Klaus Becker <k.becker@nordhafen.test>", "Declined: Exploration meeting", "Klaus has declined.")
    google.add_attachment(
        _ics("REPLY", "DECLINED", "Sorry, travelling").encode(),
        maintype="application",
        subtype="ics",
        filename="invite.ics",
    )
    yield "calendar_reply/google-attached-declined", google.as_bytes(), {"kind": "calendar_reply"}
    outlook = message("Jürgen Schäfer <j.schaefer@suedheide.test>", "Zugesagt: Kennenlerngespräch", "")
    outlook.clear_content()
    outlook.set_content(_ics("REPLY", "ACCEPTED"), subtype="calendar", params={"method": "REPLY"})
    yield "calendar_reply/outlook-accepted", outlook.as_bytes(), {"kind": "calendar_reply"}
    apple = message("Camille Martin <camille@atelier.test>", "Invitation: réponse", "Réponse")
    apple.add_alternative(_ics("REPLY", "TENTATIVE"), subtype="calendar", params={"method": "REPLY"})
    yield "calendar_reply/apple-tentative", apple.as_bytes(), {"kind": "calendar_reply"}
    counter = message("Sanne de Vries <sanne@bedrijf.test>", "New Time Proposed: Exploration meeting", "New time?")
    counter.add_alternative(_ics("COUNTER", "TENTATIVE"), subtype="calendar", params={"method": "COUNTER"})
    yield "calendar_reply/outlook-counter", counter.as_bytes(), {"kind": "calendar_reply"}


def others():
    yield (
        "other/newsletter",
        message(
            "News <news@chamber.test>",
            "Chamber newsletter March",
            "This month ...",
            headers={"List-Id": "<news.chamber.test>", "List-Unsubscribe": "<mailto:x@chamber.test>"},
            reply=False,
        ).as_bytes(),
        {"kind": "other"},
    )
    yield (
        "other/bulk",
        message(
            "Offers <offers@shop.test>", "Spring offers", "Buy now", headers={"Precedence": "bulk"}, reply=False
        ).as_bytes(),
        {"kind": "other"},
    )
    empty = b"From: nobody@firm.test\r\nTo: partnerships@riverside.test\r\n\r\n"
    yield "other/empty", empty, {"kind": "other"}


def all_samples():
    for source in (human_replies, auto_replies, bounces, complaints, opt_outs, calendar_replies, others):
        yield from source()
