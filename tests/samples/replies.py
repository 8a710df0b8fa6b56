"""A labelled set of reply texts as mail programs write them (top-, bottom- and inline-posted;
Gmail, Outlook desktop and web, Apple Mail, Thunderbird, Yahoo, mobile clients; en, de, fr,
es, it, nl, pl, pt), each with the new text a person wrote. Used to measure quote stripping."""

from __future__ import annotations

J = "Jana Weber <jana@school.test>"
QUOTED = "> Dear partner,\n> would you be available for a short call?\n> \n> Jana\n"
ORIGINAL = "Dear partner,\n\nwould you be available for a short call?\n\nBest regards,\nJana Weber\n"


def outlook(from_, sent, to, subject, rule="________________________________\n"):
    return f"\n\n{rule}{from_}: {J}\n{sent}: Monday, 1 March 2027 10:00\n{to}: Tom Hall\n{subject}: Proposal\n\n{ORIGINAL}"


REPLIES: list[tuple[str, str, str]] = [
    # top-posted, Gmail, attribution in each language (some split over two lines, as Gmail wraps them)
    ("gmail-en", f"Yes, Tuesday works.\n\nBest,\nKlaus\n\nOn Mon, 1 Mar 2027 at 10:00, {J} wrote:\n{QUOTED}",
     "Yes, Tuesday works.\n\nBest,\nKlaus"),
    ("gmail-en-wrapped", "Yes, Tuesday works.\n\nOn Mon, 1 Mar 2027 at 10:00, Jana Weber <\njana@school.test> wrote:\n\n"
     + QUOTED, "Yes, Tuesday works."),
    ("gmail-de", "Klingt gut, Dienstag passt.\n\nAm Mo., 1. März 2027 um 10:00 Uhr schrieb Jana Weber <\n"
     "jana@school.test>:\n\n" + QUOTED, "Klingt gut, Dienstag passt."),
    ("gmail-fr", f"Avec plaisir, jeudi me convient.\n\nLe lun. 1 mars 2027 à 10:00, {J} a écrit :\n\n{QUOTED}",
     "Avec plaisir, jeudi me convient."),
    ("gmail-es", "Nos interesa mucho.\n\nEl lun, 1 mar 2027 a las 10:00, Jana Weber (<jana@school.test>)\nescribió:\n\n"
     + QUOTED, "Nos interesa mucho."),
    ("gmail-it", "Siamo interessati.\n\nIl giorno lun 1 mar 2027 alle ore 10:00 Jana Weber <\njana@school.test> ha "
     "scritto:\n\n" + QUOTED, "Siamo interessati."),
    ("gmail-nl", f"Goed idee.\n\nOp ma 1 mrt. 2027 om 10:00 schreef {J}:\n\n{QUOTED}", "Goed idee."),
    ("gmail-pl", "Chętnie porozmawiam.\n\nW dniu pon., 1.03.2027 o 10:00 Jana Weber <jana@school.test>\nnapisał(a):\n\n"
     + QUOTED, "Chętnie porozmawiam."),
    ("gmail-pt", "Temos interesse.\n\nEm seg., 1 de mar. de 2027 às 10:00, Jana Weber <\njana@school.test> escreveu:\n\n"
     + QUOTED, "Temos interesse."),
    # Thunderbird and Apple Mail
    ("thunderbird-de", "Klingt gut.\n\nGruß\nJonas\n\nAm 01.03.2027 um 10:00 schrieb Jana Weber:\n" + QUOTED,
     "Klingt gut.\n\nGruß\nJonas"),
    ("thunderbird-pl", "Tak, zapraszam.\n\nW dniu 1.03.2027 o 10:00, Jana Weber pisze:\n" + QUOTED, "Tak, zapraszam."),
    ("thunderbird-en", f"Happy to meet.\n\nOn 01/03/2027 10:00, {J} wrote:\n" + QUOTED, "Happy to meet."),
    ("apple-en", f"Great!\n\nSent from my iPhone\n\n> On 1 Mar 2027, at 10:00, {J} wrote:\n> \n{QUOTED}", "Great!"),
    ("apple-de", f"Gerne!\n\nVon meinem iPhone gesendet\n\n> Am 01.03.2027 um 10:00 schrieb {J}:\n> \n{QUOTED}", "Gerne!"),
    ("apple-fr", f"Oui, volontiers.\n\nEnvoyé de mon iPhone\n\n> Le 1 mars 2027 à 10:00, {J} a écrit :\n{QUOTED}",
     "Oui, volontiers."),
    # Outlook desktop and web, the copy of our message below a header block, in each language
    ("outlook-web-en", "Sounds good.\n\nRegards\nTom" + outlook("From", "Sent", "To", "Subject"), "Sounds good.\n\nRegards\nTom"),
    ("outlook-desktop-en", "Thanks, happy to talk.\n\n-----Original Message-----\nFrom: Jana Weber\nSent: Monday, "
     "1 March 2027 10:00\nTo: Tom Hall\nSubject: Proposal\n\n" + ORIGINAL, "Thanks, happy to talk."),
    ("outlook-dash-rule", "Sure, call me.\n\n" + outlook("From", "Sent", "To", "Subject", rule="-" * 40 + "\n"), "Sure, call me."),
    ("outlook-bold-fields", "Yes please.\n\n*From:* Jana Weber <jana@school.test>\n*Sent:* Monday, 1 March 2027 10:00\n"
     "*To:* Tom Hall\n*Subject:* Proposal\n\n" + ORIGINAL, "Yes please."),
    ("outlook-de", "Gerne, melden Sie sich.\n\nMit freundlichen Grüßen\nJürgen Schäfer"
     + outlook("Von", "Gesendet", "An", "Betreff"), "Gerne, melden Sie sich.\n\nMit freundlichen Grüßen\nJürgen Schäfer"),
    ("outlook-fr", "Avec plaisir." + outlook("De", "Envoyé", "À", "Objet"), "Avec plaisir."),
    ("outlook-fr-origine", "D'accord.\n\n-----Message d'origine-----\nDe : Jana Weber\nEnvoyé : lundi 1 mars 2027\n\n"
     + ORIGINAL, "D'accord."),
    ("outlook-es", "De acuerdo, hablamos." + outlook("De", "Enviado", "Para", "Asunto"), "De acuerdo, hablamos."),
    ("outlook-it", "Va bene." + outlook("Da", "Inviato", "A", "Oggetto"), "Va bene."),
    ("outlook-nl", "Prima, bel me maar." + outlook("Van", "Verzonden", "Aan", "Onderwerp"), "Prima, bel me maar."),
    ("outlook-pl", "Dobrze, zadzwonię." + outlook("Od", "Wysłano", "Do", "Temat"), "Dobrze, zadzwonię."),
    ("outlook-pt", "Combinado." + outlook("De", "Enviado", "Para", "Assunto"), "Combinado."),
    # mobile clients: their one-line signature is not the person's text
    ("outlook-ios", "Yes.\n\nGet Outlook for iOS" + outlook("From", "Sent", "To", "Subject"), "Yes."),
    ("android-de", "Passt!\n\nVon meinem Samsung Galaxy Smartphone gesendet.\n\n-------- Ursprüngliche Nachricht --------\n"
     f"Von: {J}\nDatum: 01.03.27 10:00\n\n" + ORIGINAL, "Passt!"),
    ("iphone-es", f"Perfecto.\n\nEnviado desde mi iPhone\n\n> El 1 mar 2027, a las 10:00, {J} escribió:\n{QUOTED}",
     "Perfecto."),
    ("iphone-it", f"Perfetto.\n\nInviato da iPhone\n\n> Il giorno 1 mar 2027, alle ore 10:00, {J} ha scritto:\n{QUOTED}",
     "Perfetto."),
    ("iphone-nl", f"Top.\n\nVerzonden vanaf mijn iPhone\n\n> Op 1 mrt. 2027 om 10:00 heeft {J} het volgende "
     "geschreven:\n" + QUOTED, "Top."),
    ("iphone-pt", f"Ótimo.\n\nEnviado do meu iPhone\n\n> Em 1 de mar. de 2027, às 10:00, {J} escreveu:\n{QUOTED}",
     "Ótimo."),
    ("iphone-pl", f"Super.\n\nWysłane z iPhone'a\n\n> Wiadomość napisana przez {J} w dniu 01.03.2027, o godz. 10:00:\n"
     + QUOTED, "Super."),
    ("yahoo-en", f"Yes.\n\n    On Monday, March 1, 2027, 10:00:00 AM GMT+1, {J} wrote:\n\n    Dear partner,\n    would "
     "you be available?\n", "Yes."),
    ("gmail-html-converted", f"Yes please.\nOn Mon, 1 Mar 2027 at 10:00 {J} wrote:\nDear partner,\nwould you be "
     "available for a short call?", "Yes please."),
    ("forwarded-to-colleague", "Adding my colleague Anna, who leads apprenticeships.\n\n---------- Forwarded message "
     f"---------\nFrom: {J}\nDate: Mon, 1 Mar 2027 at 10:00\nSubject: Proposal\n\n" + ORIGINAL,
     "Adding my colleague Anna, who leads apprenticeships."),
    # bottom-posted and inline: the answer is below or between the quotes
    ("bottom-gmail-en", f"On Mon, 1 Mar 2027 at 10:00, {J} wrote:\n{QUOTED}\nYes, Tuesday at 10 works for us.\n\nKlaus",
     "Yes, Tuesday at 10 works for us.\n\nKlaus"),
    ("bottom-thunderbird-de", f"Am 01.03.2027 um 10:00 schrieb Jana Weber:\n{QUOTED}\nJa, gerne am Dienstag.\n\n-- \n"
     "Jonas Keller\nWerkstatt GmbH", "Ja, gerne am Dienstag."),
    ("bottom-no-attribution", f"{QUOTED}\nWe would like that very much.", "We would like that very much."),
    ("inline-answers", f"{J} wrote:\n> Would Tuesday work?\nYes.\n> Shall I send the agenda?\nPlease do.",
     "Yes.\nPlease do."),
    # what must be kept
    ("no-quote", "Interested, call me on 040 123 456.", "Interested, call me on 040 123 456."),
    ("sent-from-my-desk", "Sent from my desk, between two classes: yes, let's meet.",
     "Sent from my desk, between two classes: yes, let's meet."),
    ("on-tuesday", "On Tuesday we can meet. Does 10:00 work?\n\nTom", "On Tuesday we can meet. Does 10:00 work?\n\nTom"),
    ("from-our-side", "From: our side this is a yes.\nLet us talk next week.",
     "From: our side this is a yes.\nLet us talk next week."),
    ("signature-delimiter", "Yes.\n\n-- \nTom Hall\nManaging Director", "Yes."),
]


def normalised(text: str) -> str:
    """Lines stripped, runs of blank lines as one, no blank lines at either end."""
    lines, blank = [], False
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.strip()
        if not line:
            blank = bool(lines)
            continue
        if blank:
            lines.append("")
        lines.append(line)
        blank = False
    return "\n".join(lines)
