"""A labelled set of replies as mail programs write them, each with the new text a person wrote.
Used to measure quote stripping.

- `REPLIES`: plain text (top-, bottom- and inline-posted; Gmail, Outlook desktop and web, Apple
  Mail, Thunderbird, Yahoo, mobile clients; en de fr es it nl pl pt), then quote headers in 30
  languages (Gmail's and Apple's attribution lines, Outlook's header blocks and "Original
  Message" dividers), dates in other forms (ISO with GMT offsets, 12-hour, weekday names), and
  signatures and legal disclaimers in nine languages; what must be kept is kept.
- `HTML_REPLIES`: HTML-only replies with our mail quoted below, in the markup of Gmail, Outlook
  desktop, Outlook web, Apple Mail (macOS and iOS), Thunderbird and Yahoo, in several languages.
- `FORWARDS`: a one-line note above a forwarded message (text and HTML): the note is the new
  text, the forwarded message's sender is read."""

from __future__ import annotations

J = "Jana Weber <jana@school.test>"
QUOTED = "> Dear partner,\n> would you be available for a short call?\n> \n> Jana\n"
ORIGINAL = "Dear partner,\n\nwould you be available for a short call?\n\nBest regards,\nJana Weber\n"


def outlook(from_, sent, to, subject, rule="________________________________\n"):
    return (
        f"\n\n{rule}{from_}: {J}\n{sent}: Monday, 1 March 2027 10:00\n{to}: Tom Hall\n{subject}: Proposal\n\n{ORIGINAL}"
    )


REPLIES: list[tuple[str, str, str]] = [
    # top-posted, Gmail, attribution in each language (some split over two lines, as Gmail wraps them)
    (
        "gmail-en",
        f"Yes, Tuesday works.\n\nBest,\nKlaus\n\nOn Mon, 1 Mar 2027 at 10:00, {J} wrote:\n{QUOTED}",
        "Yes, Tuesday works.\n\nBest,\nKlaus",
    ),
    (
        "gmail-en-wrapped",
        "Yes, Tuesday works.\n\nOn Mon, 1 Mar 2027 at 10:00, Jana Weber <\njana@school.test> wrote:\n\n" + QUOTED,
        "Yes, Tuesday works.",
    ),
    (
        "gmail-de",
        "Klingt gut, Dienstag passt.\n\nAm Mo., 1. März 2027 um 10:00 Uhr schrieb Jana Weber <\n"
        "jana@school.test>:\n\n" + QUOTED,
        "Klingt gut, Dienstag passt.",
    ),
    (
        "gmail-fr",
        f"Avec plaisir, jeudi me convient.\n\nLe lun. 1 mars 2027 à 10:00, {J} a écrit :\n\n{QUOTED}",
        "Avec plaisir, jeudi me convient.",
    ),
    (
        "gmail-es",
        "Nos interesa mucho.\n\nEl lun, 1 mar 2027 a las 10:00, Jana Weber (<jana@school.test>)\nescribió:\n\n"
        + QUOTED,
        "Nos interesa mucho.",
    ),
    (
        "gmail-it",
        "Siamo interessati.\n\nIl giorno lun 1 mar 2027 alle ore 10:00 Jana Weber <\njana@school.test> ha "
        "scritto:\n\n" + QUOTED,
        "Siamo interessati.",
    ),
    ("gmail-nl", f"Goed idee.\n\nOp ma 1 mrt. 2027 om 10:00 schreef {J}:\n\n{QUOTED}", "Goed idee."),
    (
        "gmail-pl",
        "Chętnie porozmawiam.\n\nW dniu pon., 1.03.2027 o 10:00 Jana Weber <jana@school.test>\nnapisał(a):\n\n"
        + QUOTED,
        "Chętnie porozmawiam.",
    ),
    (
        "gmail-pt",
        "Temos interesse.\n\nEm seg., 1 de mar. de 2027 às 10:00, Jana Weber <\njana@school.test> escreveu:\n\n"
        + QUOTED,
        "Temos interesse.",
    ),
    # Thunderbird and Apple Mail
    (
        "thunderbird-de",
        "Klingt gut.\n\nGruß\nJonas\n\nAm 01.03.2027 um 10:00 schrieb Jana Weber:\n" + QUOTED,
        "Klingt gut.\n\nGruß\nJonas",
    ),
    ("thunderbird-pl", "Tak, zapraszam.\n\nW dniu 1.03.2027 o 10:00, Jana Weber pisze:\n" + QUOTED, "Tak, zapraszam."),
    ("thunderbird-en", f"Happy to meet.\n\nOn 01/03/2027 10:00, {J} wrote:\n" + QUOTED, "Happy to meet."),
    ("apple-en", f"Great!\n\nSent from my iPhone\n\n> On 1 Mar 2027, at 10:00, {J} wrote:\n> \n{QUOTED}", "Great!"),
    (
        "apple-de",
        f"Gerne!\n\nVon meinem iPhone gesendet\n\n> Am 01.03.2027 um 10:00 schrieb {J}:\n> \n{QUOTED}",
        "Gerne!",
    ),
    (
        "apple-fr",
        f"Oui, volontiers.\n\nEnvoyé de mon iPhone\n\n> Le 1 mars 2027 à 10:00, {J} a écrit :\n{QUOTED}",
        "Oui, volontiers.",
    ),
    # Outlook desktop and web, the copy of our message below a header block, in each language
    (
        "outlook-web-en",
        "Sounds good.\n\nRegards\nTom" + outlook("From", "Sent", "To", "Subject"),
        "Sounds good.\n\nRegards\nTom",
    ),
    (
        "outlook-desktop-en",
        "Thanks, happy to talk.\n\n-----Original Message-----\nFrom: Jana Weber\nSent: Monday, "
        "1 March 2027 10:00\nTo: Tom Hall\nSubject: Proposal\n\n" + ORIGINAL,
        "Thanks, happy to talk.",
    ),
    (
        "outlook-dash-rule",
        "Sure, call me.\n\n" + outlook("From", "Sent", "To", "Subject", rule="-" * 40 + "\n"),
        "Sure, call me.",
    ),
    (
        "outlook-bold-fields",
        "Yes please.\n\n*From:* Jana Weber <jana@school.test>\n*Sent:* Monday, 1 March 2027 10:00\n"
        "*To:* Tom Hall\n*Subject:* Proposal\n\n" + ORIGINAL,
        "Yes please.",
    ),
    (
        "outlook-de",
        "Gerne, melden Sie sich.\n\nMit freundlichen Grüßen\nJürgen Schäfer"
        + outlook("Von", "Gesendet", "An", "Betreff"),
        "Gerne, melden Sie sich.\n\nMit freundlichen Grüßen\nJürgen Schäfer",
    ),
    ("outlook-fr", "Avec plaisir." + outlook("De", "Envoyé", "À", "Objet"), "Avec plaisir."),
    (
        "outlook-fr-origine",
        "D'accord.\n\n-----Message d'origine-----\nDe : Jana Weber\nEnvoyé : lundi 1 mars 2027\n\n" + ORIGINAL,
        "D'accord.",
    ),
    ("outlook-es", "De acuerdo, hablamos." + outlook("De", "Enviado", "Para", "Asunto"), "De acuerdo, hablamos."),
    ("outlook-it", "Va bene." + outlook("Da", "Inviato", "A", "Oggetto"), "Va bene."),
    ("outlook-nl", "Prima, bel me maar." + outlook("Van", "Verzonden", "Aan", "Onderwerp"), "Prima, bel me maar."),
    ("outlook-pl", "Dobrze, zadzwonię." + outlook("Od", "Wysłano", "Do", "Temat"), "Dobrze, zadzwonię."),
    ("outlook-pt", "Combinado." + outlook("De", "Enviado", "Para", "Assunto"), "Combinado."),
    # mobile clients: their one-line signature is not the person's text
    ("outlook-ios", "Yes.\n\nGet Outlook for iOS" + outlook("From", "Sent", "To", "Subject"), "Yes."),
    (
        "android-de",
        "Passt!\n\nVon meinem Samsung Galaxy Smartphone gesendet.\n\n-------- Ursprüngliche Nachricht --------\n"
        f"Von: {J}\nDatum: 01.03.27 10:00\n\n" + ORIGINAL,
        "Passt!",
    ),
    (
        "iphone-es",
        f"Perfecto.\n\nEnviado desde mi iPhone\n\n> El 1 mar 2027, a las 10:00, {J} escribió:\n{QUOTED}",
        "Perfecto.",
    ),
    (
        "iphone-it",
        f"Perfetto.\n\nInviato da iPhone\n\n> Il giorno 1 mar 2027, alle ore 10:00, {J} ha scritto:\n{QUOTED}",
        "Perfetto.",
    ),
    (
        "iphone-nl",
        f"Top.\n\nVerzonden vanaf mijn iPhone\n\n> Op 1 mrt. 2027 om 10:00 heeft {J} het volgende "
        "geschreven:\n" + QUOTED,
        "Top.",
    ),
    (
        "iphone-pt",
        f"Ótimo.\n\nEnviado do meu iPhone\n\n> Em 1 de mar. de 2027, às 10:00, {J} escreveu:\n{QUOTED}",
        "Ótimo.",
    ),
    (
        "iphone-pl",
        f"Super.\n\nWysłane z iPhone'a\n\n> Wiadomość napisana przez {J} w dniu 01.03.2027, o godz. 10:00:\n" + QUOTED,
        "Super.",
    ),
    (
        "yahoo-en",
        f"Yes.\n\n    On Monday, March 1, 2027, 10:00:00 AM GMT+1, {J} wrote:\n\n    Dear partner,\n    would "
        "you be available?\n",
        "Yes.",
    ),
    (
        "gmail-html-converted",
        f"Yes please.\nOn Mon, 1 Mar 2027 at 10:00 {J} wrote:\nDear partner,\nwould you be available for a short call?",
        "Yes please.",
    ),
    (
        "forwarded-to-colleague",
        "Adding my colleague Anna, who leads apprenticeships.\n\n---------- Forwarded message "
        f"---------\nFrom: {J}\nDate: Mon, 1 Mar 2027 at 10:00\nSubject: Proposal\n\n" + ORIGINAL,
        "Adding my colleague Anna, who leads apprenticeships.",
    ),
    # bottom-posted and inline: the answer is below or between the quotes
    (
        "bottom-gmail-en",
        f"On Mon, 1 Mar 2027 at 10:00, {J} wrote:\n{QUOTED}\nYes, Tuesday at 10 works for us.\n\nKlaus",
        "Yes, Tuesday at 10 works for us.\n\nKlaus",
    ),
    (
        "bottom-thunderbird-de",
        f"Am 01.03.2027 um 10:00 schrieb Jana Weber:\n{QUOTED}\nJa, gerne am Dienstag.\n\n-- \n"
        "Jonas Keller\nWerkstatt GmbH",
        "Ja, gerne am Dienstag.",
    ),
    ("bottom-no-attribution", f"{QUOTED}\nWe would like that very much.", "We would like that very much."),
    (
        "inline-answers",
        f"{J} wrote:\n> Would Tuesday work?\nYes.\n> Shall I send the agenda?\nPlease do.",
        "Yes.\nPlease do.",
    ),
    # what must be kept
    ("no-quote", "Interested, call me on 040 123 456.", "Interested, call me on 040 123 456."),
    (
        "sent-from-my-desk",
        "Sent from my desk, between two classes: yes, let's meet.",
        "Sent from my desk, between two classes: yes, let's meet.",
    ),
    (
        "on-tuesday",
        "On Tuesday we can meet. Does 10:00 work?\n\nTom",
        "On Tuesday we can meet. Does 10:00 work?\n\nTom",
    ),
    (
        "from-our-side",
        "From: our side this is a yes.\nLet us talk next week.",
        "From: our side this is a yes.\nLet us talk next week.",
    ),
    ("signature-delimiter", "Yes.\n\n-- \nTom Hall\nManaging Director", "Yes."),
]


# --- quote headers in 30 languages: (language, the new text, Gmail's attribution line) -----------------

A = "Jana Weber <jana@school.test>"
ATTRIBUTIONS = [
    ("en", "Yes, Tuesday works for us.", f"On Mon, 1 Mar 2027 at 10:00, {A} wrote:"),
    ("de", "Gerne, Dienstag passt.", f"Am Mo., 1. März 2027 um 10:00 Uhr schrieb {A}:"),
    ("fr", "Avec plaisir, mardi nous convient.", f"Le lun. 1 mars 2027 à 10:00, {A} a écrit :"),
    (
        "es",
        "Encantados, el martes nos viene bien.",
        "El lun, 1 mar 2027 a las 10:00, Jana Weber (<jana@school.test>) escribió:",
    ),
    ("it", "Volentieri, martedì va bene.", f"Il giorno lun 1 mar 2027 alle ore 10:00 {A} ha scritto:"),
    ("nl", "Graag, dinsdag past ons.", f"Op ma 1 mrt 2027 om 10:00 schreef {A}:"),
    ("pl", "Chętnie, wtorek nam pasuje.", f"pon., 1 mar 2027 o 10:00 {A} napisał(a):"),
    ("pt", "Com todo o gosto, terça-feira serve.", f"Em seg., 1 de mar. de 2027 às 10:00, {A} escreveu:"),
    (
        "ca",
        "Encantats, dimarts ens va bé.",
        "El dl., 1 de març 2027 a les 10:00, Jana Weber (<jana@school.test>) va escriure:",
    ),
    ("ca-apple", "D'acord, parlem dimarts.", f"El 01/03/2027, a les 10:00, {A} ha escrit:"),
    ("sv", "Gärna, tisdag passar.", f"Den mån 1 mars 2027 kl 10:00 skrev {A}:"),
    ("da", "Gerne, tirsdag passer.", f"Den man. 1. mar. 2027 kl. 10.00 skrev {A}:"),
    ("no", "Gjerne, tirsdag passer.", f"man. 1. mar. 2027 kl. 10:00 skrev {A}:"),
    ("fi", "Mielellään, tiistai sopii.", "ma 1. maalisk. 2027 klo 10.00 Jana Weber (jana@school.test) kirjoitti:"),
    ("cs", "Rádi, úterý se nám hodí.", f"po 1. 3. 2027 v 10:00 odesílatel {A} napsal:"),
    ("sk", "Radi, utorok nám vyhovuje.", f"po 1. 3. 2027 o 10:00 {A} napísal(a):"),
    ("hu", "Szívesen, a kedd megfelel.", f"{A} ezt írta (időpont: 2027. márc. 1., H, 10:00):"),
    ("ro", "Cu plăcere, marți ne convine.", f"Pe lun., 1 mar. 2027 la 10:00, {A} a scris:"),
    ("hr", "Rado, utorak nam odgovara.", f"pon, 1. ožu 2027. u 10:00 {A} napisao je:"),
    ("sl", "Z veseljem, torek nam ustreza.", f"V pon., 1. mar. 2027 ob 10:00 je oseba {A} napisala:"),
    ("tr", "Memnuniyetle, salı uygun.", f"{A}, 1 Mar 2027 Pzt, 10:00 tarihinde şunu yazdı:"),
    ("el", "Ευχαρίστως, η Τρίτη μας βολεύει.", f"Στις Δευ 1 Μαρ 2027 στις 10:00, ο/η {A} έγραψε:"),
    ("ru", "С удовольствием, вторник подходит.", f"пн, 1 мар. 2027 г. в 10:00, {A}:"),
    ("ru-apple", "Да, давайте во вторник.", f"1 марта 2027 г., в 10:00, {A} написал(а):"),
    ("uk", "Із задоволенням, вівторок підходить.", f"пн, 1 бер. 2027 р. о 10:00 {A} пише:"),
    ("bg", "С удоволствие, вторник е удобен.", f"пн, 1.03.2027 г. в 10:00 ч. {A} написа:"),
    ("zh", "好的，星期二可以。", f"{A} 于2027年3月1日周一 10:00写道："),
    ("zh-apple", "可以，我们星期二谈。", f"2027年3月1日 10:00，{A} 写道："),
    ("zh-tw", "好的，星期二可以。", f"{A} 於 2027年3月1日 週一 上午10:00 寫道："),
    ("ja", "承知しました。火曜日で大丈夫です。", f"2027年3月1日(月) 10:00 {A}:"),
    ("ja-apple", "火曜日で大丈夫です。", f"2027/03/01 10:00、{A}のメール:"),
    ("ko", "좋습니다. 화요일 괜찮습니다.", f"2027년 3월 1일 (월) 오전 10:00, {A}님이 작성:"),
    ("ko-apple", "화요일에 이야기해요.", f"2027. 3. 1. 오전 10:00, {A} 작성:"),
    ("vi", "Vâng, thứ Ba được.", f"Vào 10:00 Th 2, 1 thg 3, 2027 {A} đã viết:"),
    ("lt", "Mielai, antradienis tinka.", f"2027-03-01, pr, 10:00, {A} rašė:"),
    ("en-iso-offset", "Sounds good.", "2027-03-01 10:00 GMT+01:00 Jana Weber <jana@school.test>:"),
    ("en-iso-on", "Sounds good.", f"On 2027-03-01T10:00:00+01:00, {A} wrote:"),
    ("en-12h-weekday", "Sounds good.", f"On Monday, March 1, 2027 at 10:00 AM, {A} wrote:"),
    ("en-us-slashes", "Sounds good.", f"On 3/1/2027 10:00 AM, {A} wrote:"),
    ("de-weekday-zone", "Klingt gut.", "Am Montag, 1. März 2027, 10:00:00 MEZ schrieb Jana Weber <jana@school.test>:"),
]

# Outlook's header block, by language: (language, the new text, From, Sent, To, Subject)
HEADER_BLOCKS = [
    ("en", "Happy to talk.", "From", "Sent", "To", "Subject"),
    ("de", "Gerne.", "Von", "Gesendet", "An", "Betreff"),
    ("fr", "Avec plaisir.", "De", "Envoyé", "À", "Objet"),
    ("es", "Con gusto.", "De", "Enviado el", "Para", "Asunto"),
    ("it", "Volentieri.", "Da", "Inviato", "A", "Oggetto"),
    ("nl", "Graag.", "Van", "Verzonden", "Aan", "Onderwerp"),
    ("pl", "Chętnie.", "Od", "Wysłano", "Do", "Temat"),
    ("pt", "Com gosto.", "De", "Enviado", "Para", "Assunto"),
    ("ca", "Encantats.", "De", "Enviat", "Per a", "Assumpte"),
    ("sv", "Gärna.", "Från", "Skickat", "Till", "Ämne"),
    ("da", "Gerne.", "Fra", "Sendt", "Til", "Emne"),
    ("no", "Gjerne.", "Fra", "Sendt", "Til", "Emne"),
    ("fi", "Mielellään.", "Lähettäjä", "Lähetetty", "Vastaanottaja", "Aihe"),
    ("cs", "Rádi.", "Od", "Odesláno", "Komu", "Předmět"),
    ("sk", "Radi.", "Od", "Odoslané", "Komu", "Predmet"),
    ("hu", "Szívesen.", "Feladó", "Elküldve", "Címzett", "Tárgy"),
    ("ro", "Cu plăcere.", "De la", "Trimis", "Către", "Subiect"),
    ("hr", "Rado.", "Šalje", "Poslano", "Prima", "Predmet"),
    ("sl", "Z veseljem.", "Od", "Poslano", "Za", "Zadeva"),
    ("tr", "Memnuniyetle.", "Kimden", "Gönderildi", "Kime", "Konu"),
    ("el", "Ευχαρίστως.", "Από", "Στάλθηκε", "Προς", "Θέμα"),
    ("ru", "С удовольствием.", "От", "Отправлено", "Кому", "Тема"),
    ("uk", "Із задоволенням.", "Від", "Надіслано", "Кому", "Тема"),
    ("zh", "好的。", "发件人", "发送时间", "收件人", "主题"),
    ("ja", "承知しました。", "差出人", "送信日時", "宛先", "件名"),
    ("ko", "좋습니다.", "보낸 사람", "보낸 날짜", "받는 사람", "제목"),
]

DIVIDERS = [
    ("en", "-----Original Message-----"),
    ("de", "-----Ursprüngliche Nachricht-----"),
    ("fr", "-----Message d'origine-----"),
    ("es", "-----Mensaje original-----"),
    ("it", "-----Messaggio originale-----"),
    ("nl", "-----Oorspronkelijk bericht-----"),
    ("pl", "-----Oryginalna wiadomość-----"),
    ("pt", "-----Mensagem original-----"),
    ("ca", "-----Missatge original-----"),
    ("sv", "-----Ursprungligt meddelande-----"),
    ("da", "-----Oprindelig meddelelse-----"),
    ("no", "-----Opprinnelig melding-----"),
    ("fi", "-----Alkuperäinen viesti-----"),
    ("cs", "-----Původní zpráva-----"),
    ("sk", "-----Pôvodná správa-----"),
    ("hu", "-----Eredeti üzenet-----"),
    ("ro", "-----Mesaj original-----"),
    ("hr", "-----Izvorna poruka-----"),
    ("sl", "-----Izvirno sporočilo-----"),
    ("tr", "-----Orijinal Mesaj-----"),
    ("el", "-----Αρχικό μήνυμα-----"),
    ("ru", "-----Исходное сообщение-----"),
    ("uk", "-----Оригінальне повідомлення-----"),
    ("zh", "------------------ 原始邮件 ------------------"),
    ("ja", "-----元のメッセージ-----"),
    ("ko", "-----원본 메시지-----"),
    ("android-en", "-------- Original message --------"),
]


def _header_block(from_, sent, to, subject, rule="________________________________\n"):
    return f"\n\n{rule}{from_}: {J}\n{sent}: 1.3.2027 10:00\n{to}: Tom Hall\n{subject}: Proposal\n\n{ORIGINAL}"


REPLIES += [(f"gmail-{lang}-header", f"{new}\n\n{line}\n\n{QUOTED}", new) for lang, new, line in ATTRIBUTIONS]
REPLIES += [(f"apple-{lang}-header", f"{new}\n\n> {line}\n> \n{QUOTED}", new) for lang, new, line in ATTRIBUTIONS[:12]]
# made text from HTML the attribution is followed by our mail without `>` marks
REPLIES += [
    (f"unmarked-{lang}-header", f"{new}\n\n{line}\n{ORIGINAL}", new)
    for lang, new, line in ATTRIBUTIONS
    if lang not in ("ru", "ja", "en-iso-offset")
]  # no verb: only a `>` quote after it marks them
REPLIES += [(f"outlook-{lang}-block", new + _header_block(*fields), new) for lang, new, *fields in HEADER_BLOCKS]
REPLIES += [
    (f"divider-{lang}", f"Thanks, noted.\n\n{line}\nFrom: {J}\n\n{ORIGINAL}", "Thanks, noted.")
    for lang, line in DIVIDERS
]

# --- signatures and disclaimers, in nine languages -------------------------------------------------

DISCLAIMERS = [
    (
        "en",
        "Yes, Tuesday works.\n\nBest regards,\nTom Hall",
        "This e-mail and any attachments are confidential and intended solely for the addressee. If you have received "
        "it in error, please notify the sender and delete it.",
    ),
    (
        "de",
        "Gerne, Dienstag passt.\n\nMit freundlichen Grüßen\nJürgen Schäfer",
        "Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen. Wenn Sie nicht der richtige "
        "Adressat sind oder diese E-Mail irrtümlich erhalten haben, informieren Sie bitte sofort den Absender und "
        "vernichten Sie diese Mail.",
    ),
    (
        "fr",
        "Avec plaisir.\n\nCordialement,\nCamille Martin",
        "Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive de ses "
        "destinataires. Si vous avez reçu ce message par erreur, merci d'en avertir immédiatement l'expéditeur.",
    ),
    (
        "es",
        "Nos interesa.\n\nSaludos,\nMaría García",
        "Este mensaje y sus archivos adjuntos son confidenciales y están dirigidos exclusivamente a su destinatario. "
        "Si usted lo ha recibido por error, por favor notifíquelo al remitente y elimínelo.",
    ),
    (
        "it",
        "Siamo interessati.\n\nCordiali saluti\nLuca Rossi",
        "Questo messaggio e i suoi allegati sono riservati e destinati esclusivamente al destinatario. Se avete "
        "ricevuto questo messaggio per errore, vi preghiamo di informare il mittente e di cancellarlo.",
    ),
    (
        "nl",
        "Goed idee.\n\nMet vriendelijke groet,\nSanne de Vries",
        "Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde(n) en kan vertrouwelijke informatie bevatten. "
        "Indien u dit bericht per vergissing heeft ontvangen, verzoeken wij u de afzender te informeren.",
    ),
    (
        "pl",
        "Chętnie porozmawiam.\n\nPozdrawiam\nŁukasz Nowak",
        "Ta wiadomość wraz z załącznikami jest poufna i przeznaczona wyłącznie dla adresata. Jeżeli otrzymali "
        "Państwo tę wiadomość omyłkowo, prosimy o powiadomienie nadawcy i jej usunięcie.",
    ),
    (
        "pt",
        "Temos interesse.\n\nCumprimentos,\nAna Costa",
        "Esta mensagem e os seus anexos são confidenciais e destinam-se exclusivamente ao destinatário. Se recebeu "
        "esta mensagem por engano, por favor informe o remetente e apague-a.",
    ),
    (
        "sv",
        "Gärna.\n\nVänliga hälsningar\nSofia Lind",
        "Detta e-postmeddelande är konfidentiellt och endast avsett för mottagaren. Om du har fått det av misstag, "
        "vänligen meddela avsändaren.",
    ),
]
REPLIES += [(f"disclaimer-{lang}", f"{new}\n\n{legal}\n\n{QUOTED}", new) for lang, new, legal in DISCLAIMERS]
REPLIES += [
    (
        "disclaimer-heading-en",
        "Yes.\n\nTom\n\nDISCLAIMER:\nThe information in this message is confidential and may be "
        "legally privileged. It is intended solely for the addressee.",
        "Yes.\n\nTom",
    ),
    (
        "environment-line-de",
        "Gerne.\n\nJürgen\n\nBitte denken Sie an die Umwelt, bevor Sie diese E-Mail ausdrucken.",
        "Gerne.\n\nJürgen",
    ),
    (
        "sent-from-my-desk-confirm",
        "Sent from my desk, I can confirm Tuesday",
        "Sent from my desk, I can confirm Tuesday",
    ),
    (
        "sent-from-my-phone-sentence",
        "Sent from my phone, so excuse the typos: yes, we are in.",
        "Sent from my phone, so excuse the typos: yes, we are in.",
    ),
    (
        "confidential-sentence-kept",
        "Hello Jana,\n\nThe information you sent is helpful; please treat our figures as "
        "confidential, and we would be glad to meet next week to discuss them with you.",
        "Hello Jana,\n\nThe information you sent is helpful; please treat our figures as confidential, and we would be "
        "glad to meet next week to discuss them with you.",
    ),
    ("mobile-lines-languages", "Ok.\n\nWysłane z iPhone'a", "Ok."),
    ("mobile-zh", "好的。\n\n发自我的iPhone", "好的。"),
    ("mobile-ja", "承知しました。\n\niPhoneから送信", "承知しました。"),
    ("mobile-ko", "좋습니다.\n\n나의 iPhone에서 보냄", "좋습니다."),
    ("mobile-fi", "Sopii.\n\nLähetetty iPhonesta", "Sopii."),
    (
        "reply-on-same-line-as-header",
        f"Yes, Tuesday. On Mon, 1 Mar 2027 at 10:00, {A} wrote:\n{QUOTED}",
        "Yes, Tuesday.",
    ),
]

# --- HTML-only replies, by mail program --------------------------------------------------------------

OUR_HTML = (
    "<div>Dear partner,<br>would you be available for a short meeting next week?</div><div><br></div>"
    "<div>Best regards,<br>Jana Weber</div>"
)
ATTR = 'On Mon, 1 Mar 2027 at 10:00, Jana Weber &lt;<a href="mailto:jana@school.test">jana@school.test</a>&gt; wrote:'


def gmail_html(new_html, attribution=ATTR, quoted=OUR_HTML):
    return (
        f'<div dir="ltr">{new_html}</div><br><div class="gmail_quote gmail_quote_container">'
        f'<div dir="ltr" class="gmail_attr">{attribution}<br></div><blockquote class="gmail_quote" '
        f'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">{quoted}'
        "</blockquote></div>"
    )


def gmail_old_html(new_html, attribution=ATTR):
    return (
        f'<div dir="ltr">{new_html}</div><div class="gmail_extra"><br><div class="gmail_quote">{attribution}<br>'
        f'<blockquote class="gmail_quote" style="margin:0 0 0 .8ex">{OUR_HTML}</blockquote></div></div>'
    )


def outlook_desktop_html(new_html, fields=("From", "Sent", "To", "Subject"), quoted=OUR_HTML):
    f, s_, t, subj = fields
    return (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{margin:0cm}</style></head>'
        f'<body lang="DE"><div class="WordSection1"><p class="MsoNormal">{new_html}<o:p></o:p></p>'
        '<p class="MsoNormal"><o:p>&nbsp;</o:p></p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;'
        f'padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>{f}:</b> Jana Weber &lt;jana@school.test&gt; <br>'
        f"<b>{s_}:</b> Monday, 1 March 2027 10:00<br><b>{t}:</b> Tom Hall<br><b>{subj}:</b> Proposal<o:p></o:p></p>"
        f'</div></div><p class="MsoNormal"><o:p>&nbsp;</o:p></p>{quoted}</div></body></html>'
    )


def outlook_web_html(new_html, fields=("From", "Sent", "To", "Subject")):
    f, s_, t, subj = fields
    return (
        f'<html><body><div style="font-family:Calibri">{new_html}</div><div id="appendonsend"></div>'
        '<hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr">'
        f'<font face="Calibri, sans-serif" color="#000000"><b>{f}:</b> Jana Weber &lt;jana@school.test&gt;<br>'
        f"<b>{s_}:</b> Monday, March 1, 2027 10:00 AM<br><b>{t}:</b> Tom Hall<br><b>{subj}:</b> Proposal</font>"
        f"<div>&nbsp;</div></div>{OUR_HTML}</body></html>"
    )


def apple_html(new_html, attribution=ATTR, quoted=OUR_HTML):
    return (
        f'<html><body style="overflow-wrap: break-word;">{new_html}<div><br><blockquote type="cite">'
        f'<div>{attribution}</div><br class="Apple-interchange-newline"><div><div>{quoted}</div></div>'
        "</blockquote></div><br></body></html>"
    )


def ios_html(new_html, attribution=ATTR):
    return (
        f'<html><body dir="auto"><div dir="ltr">{new_html}</div><div dir="ltr"><br></div>'
        '<div id="AppleMailSignature" dir="ltr">Sent from my iPhone</div><div dir="ltr"><br>'
        f'<blockquote type="cite">{attribution}<br><br></blockquote></div><blockquote type="cite">'
        f'<div dir="ltr">{OUR_HTML}</div></blockquote></body></html>'
    )


def thunderbird_html(new_html, attribution="Am 01.03.27 um 10:00 schrieb Jana Weber:"):
    return (
        f'<html><body><p>{new_html}</p><div class="moz-cite-prefix">{attribution}<br></div>'
        f'<blockquote type="cite" cite="mid:1@school.test">{OUR_HTML}</blockquote></body></html>'
    )


def thunderbird_bottom_html(new_html, attribution="Am 01.03.27 um 10:00 schrieb Jana Weber:"):
    return (
        f'<html><body><div class="moz-cite-prefix">{attribution}<br></div><blockquote type="cite">{OUR_HTML}'
        f'</blockquote><p>{new_html}</p><pre class="moz-signature" cols="72">-- \nJonas Keller\nWerkstatt GmbH'
        "</pre></body></html>"
    )


def yahoo_html(new_html):
    return (
        f'<html><body><div class="ydp1 yahoo-style-wrap"><div dir="ltr">{new_html}</div></div><div><br></div>'
        '<div id="ydp2yahoo_quoted_1" class="ydp2yahoo_quoted"><div style="font-family:Helvetica">'
        "<div>On Monday, March 1, 2027 at 10:00:00 AM GMT+1, Jana Weber &lt;jana@school.test&gt; wrote:</div>"
        f"<div><br></div><div>{OUR_HTML}</div></div></div></body></html>"
    )


REFUSAL = "Thank you, but we have decided not to pursue this."
HTML_REPLIES: list[tuple[str, str, str]] = [
    ("gmail-html-en", gmail_html(REFUSAL), REFUSAL),
    (
        "gmail-html-sign-off",
        gmail_html("Yes, Tuesday works.<br><br>Best,<br>Klaus"),
        "Yes, Tuesday works.\n\nBest,\nKlaus",
    ),
    (
        "gmail-html-signature",
        gmail_html(
            'Gerne.<br><br><span class="gmail_signature_prefix">-- </span><br>'
            '<div dir="ltr" class="gmail_signature">Jürgen Schäfer<br>Ausbildungsleiter</div>'
        ),
        "Gerne.",
    ),
    (
        "gmail-old-html-de",
        gmail_old_html(
            "Gerne, Dienstag passt.", "Am Mo., 1. März 2027 um 10:00 Uhr schrieb Jana Weber &lt;jana@school.test&gt;:"
        ),
        "Gerne, Dienstag passt.",
    ),
    (
        "gmail-html-es",
        gmail_html(
            "Nos interesa mucho.", "El lun, 1 mar 2027 a las 10:00, Jana Weber (&lt;jana@school.test&gt;) escribió:"
        ),
        "Nos interesa mucho.",
    ),
    (
        "gmail-html-zh",
        gmail_html("好的，星期二可以。", "Jana Weber &lt;jana@school.test&gt; 于2027年3月1日周一 10:00写道："),
        "好的，星期二可以。",
    ),
    ("outlook-desktop-html-en", outlook_desktop_html(REFUSAL), REFUSAL),
    (
        "outlook-desktop-html-de",
        outlook_desktop_html("Gerne, melden Sie sich.", ("Von", "Gesendet", "An", "Betreff")),
        "Gerne, melden Sie sich.",
    ),
    (
        "outlook-desktop-html-pl",
        outlook_desktop_html("Dobrze, zadzwonię.", ("Od", "Wysłano", "Do", "Temat")),
        "Dobrze, zadzwonię.",
    ),
    (
        "outlook-desktop-html-unknown-language",
        outlook_desktop_html("Ok.", ("Pengirim", "Dikirim", "Kepada", "Perihal")),
        "Ok.",
    ),
    ("outlook-web-html-en", outlook_web_html(REFUSAL), REFUSAL),
    ("outlook-web-html-fr", outlook_web_html("Avec plaisir.", ("De", "Envoyé", "À", "Objet")), "Avec plaisir."),
    (
        "outlook-web-html-ja",
        outlook_web_html("承知しました。", ("差出人", "送信日時", "宛先", "件名")),
        "承知しました。",
    ),
    ("apple-html-en", apple_html(REFUSAL), REFUSAL),
    (
        "apple-html-de",
        apple_html("Gerne!", "Am 01.03.2027 um 10:00 schrieb Jana Weber &lt;jana@school.test&gt;:"),
        "Gerne!",
    ),
    (
        "apple-html-ko",
        apple_html("좋습니다.", "2027. 3. 1. 오전 10:00, Jana Weber &lt;jana@school.test&gt; 작성:"),
        "좋습니다.",
    ),
    ("ios-html-en", ios_html(REFUSAL), REFUSAL),
    (
        "ios-html-it",
        ios_html("Perfetto.", "Il giorno 1 mar 2027, alle ore 10:00, Jana Weber &lt;jana@school.test&gt; ha scritto:"),
        "Perfetto.",
    ),
    ("thunderbird-html-de", thunderbird_html("Klingt gut."), "Klingt gut."),
    ("thunderbird-bottom-html-de", thunderbird_bottom_html("Ja, gerne am Dienstag."), "Ja, gerne am Dienstag."),
    ("yahoo-html-en", yahoo_html(REFUSAL), REFUSAL),
    (
        "outlook-hr-header-table-nl",
        "<html><body><div>Prima, bel me maar.</div><hr><table><tr><td><b>Van:</b></td>"
        "<td>Jana Weber &lt;jana@school.test&gt;</td></tr><tr><td><b>Verzonden:</b></td><td>maandag 1 maart 2027 10:00"
        "</td></tr><tr><td><b>Aan:</b></td><td>Sanne</td></tr><tr><td><b>Onderwerp:</b></td><td>Voorstel</td></tr>"
        f"</table>{OUR_HTML}</body></html>",
        "Prima, bel me maar.",
    ),
    (
        "outlook-mac-olk",
        '<html><body><div>Volentieri.</div><div><br></div><span id="OLK_SRC_BODY_SECTION"><div>'
        f"<b>Da: </b>Jana Weber &lt;jana@school.test&gt;<br><b>Data: </b>lunedì 1 marzo 2027 10:00</div>{OUR_HTML}</span>"
        "</body></html>",
        "Volentieri.",
    ),
    (
        "inline-html-answers",
        "<div>Jana Weber wrote:</div><blockquote>Would Tuesday work?</blockquote><div>Yes.</div>"
        "<blockquote>Shall I send the agenda?</blockquote><div>Please do.</div>",
        "Yes.\n\nPlease do.",
    ),
    ("plain-blockquote-html", f"<p>{REFUSAL}</p><blockquote>{OUR_HTML}</blockquote>", REFUSAL),
    (
        "html-disclaimer-de",
        gmail_html(
            "Gerne.<br><br>Jürgen<br><br><font size=1>Diese E-Mail enthält vertrauliche "
            "Informationen. Wenn Sie nicht der richtige Adressat sind, informieren Sie bitte "
            "sofort den Absender.</font>"
        ),
        "Gerne.\n\nJürgen",
    ),
]

# --- forwards with a one-line note: (name, body, html, subject, new text, forwarded sender address) ---------

FORWARDS = [
    (
        "gmail-forward-en",
        "FYI, Anna Berg runs our apprenticeships.\n\n---------- Forwarded message ---------\nFrom: "
        "Anna Berg <anna@firm.test>\nDate: Mon, 1 Mar 2027 at 10:00\nSubject: Apprenticeships\nTo: Tom <tom@firm.test>"
        "\n\nI would be glad to talk to the school.",
        False,
        "Fwd: Apprenticeships",
        "FYI, Anna Berg runs our apprenticeships.",
        "anna@firm.test",
    ),
    (
        "gmail-forward-de",
        "Zur Info.\n\n---------- Weitergeleitete Nachricht ---------\nVon: Sabine Hoffmann "
        "<s.hoffmann@firma.test>\nDate: Mo., 1. März 2027 um 10:00 Uhr\nSubject: Ausbildung\nTo: <tom@firma.test>\n\n"
        "Ich übernehme das gerne.",
        False,
        "WG: Ausbildung",
        "Zur Info.",
        "s.hoffmann@firma.test",
    ),
    (
        "outlook-forward-en",
        "Please talk to Anna.\n\n________________________________\nFrom: Anna Berg "
        "<anna@firm.test>\nSent: Monday, March 1, 2027 10:00 AM\nTo: Tom Hall\nSubject: Apprenticeships\n\nI can "
        "take this over.",
        False,
        "FW: Apprenticeships",
        "Please talk to Anna.",
        "anna@firm.test",
    ),
    (
        "apple-forward-fr",
        "Pour info.\n\nDébut du message réexpédié :\n\n> De: Claire Petit <claire@societe.test>\n"
        "> Date: 1 mars 2027 à 10:00:00 UTC+1\n> À: Tom <tom@societe.test>\n> Objet: Apprentissage\n>\n> Je m'en "
        "occupe.",
        False,
        "Fwd: Apprentissage",
        "Pour info.",
        "claire@societe.test",
    ),
    (
        "thunderbird-forward-es",
        "Te lo reenvío.\n\n-------- Mensaje reenviado --------\nAsunto: \tPrácticas\n"
        "Fecha: \tMon, 1 Mar 2027 10:00:00 +0100\nDe: \tLucía Pérez <lucia@empresa.test>\nPara: \tTom "
        "<tom@empresa.test>\n\nYo me encargo.",
        False,
        "Fwd: Prácticas",
        "Te lo reenvío.",
        "lucia@empresa.test",
    ),
    (
        "gmail-html-forward",
        '<div dir="ltr">See below, Anna is the right person.<br><br><div class="gmail_quote '
        'gmail_quote_container"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: '
        '<strong class="gmail_sendername" dir="auto">Anna Berg</strong> <span dir="auto">&lt;<a href="mailto:anna@firm.test">'
        "anna@firm.test</a>&gt;</span><br>Date: Mon, 1 Mar 2027 at 10:00<br>Subject: Apprenticeships<br>To: Tom &lt;"
        'tom@firm.test&gt;<br></div><br><br><div dir="ltr">I handle apprenticeships.</div></div></div>',
        True,
        "Fwd: Apprenticeships",
        "See below, Anna is the right person.",
        "anna@firm.test",
    ),
    (
        "outlook-html-forward",
        outlook_web_html("Please talk to Anna.").replace(
            "Jana Weber &lt;jana@school.test&gt;", "Anna Berg &lt;anna@firm.test&gt;"
        ),
        True,
        "FW: Proposal",
        "Please talk to Anna.",
        "anna@firm.test",
    ),
    (
        "apple-html-forward",
        "<html><body>Pour info.<div><br><div>Début du message réexpédié :</div><br "
        'class="Apple-interchange-newline"><blockquote type="cite"><div><b>De: </b>Claire Petit &lt;claire@societe.test&gt;'
        "</div><div><b>Objet: </b>Apprentissage</div><div><b>Date: </b>1 mars 2027 à 10:00:00 UTC+1</div><br><div>Je "
        "m'en occupe.</div></blockquote></div></body></html>",
        True,
        "Fwd: Apprentissage",
        "Pour info.",
        "claire@societe.test",
    ),
    (
        "thunderbird-html-forward",
        '<html><body><p>FYI</p><div class="moz-forward-container"><br><br>-------- Forwarded '
        'Message --------<table class="moz-email-headers-table"><tr><th>Subject: </th><td>Apprenticeships</td></tr><tr>'
        "<th>From: </th><td>Anna Berg &lt;anna@firm.test&gt;</td></tr></table><br>I handle them.</div></body></html>",
        True,
        "Fwd: Apprenticeships",
        "FYI",
        "anna@firm.test",
    ),
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
