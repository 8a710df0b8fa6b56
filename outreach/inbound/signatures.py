"""Signatures and disclaimers below what a person wrote: the `-- ` delimiter and what follows
it, a mail program's one-line advertisement ("Sent from my iPhone", in the languages phones
ship in) and legal disclaimers at the end ("This e-mail and any attachments are
confidential...", "Diese E-Mail enthält vertrauliche..."), in the languages of our partners.

Nothing that reads as a sentence of the person's is cut: a device line must be the whole
line ("Sent from my desk, I can confirm Tuesday" stays), a disclaimer must be a paragraph
of its own after the text, naming the message itself and its confidentiality or its
intended recipient."""

from __future__ import annotations

import re

DELIMITER = re.compile(r"^(?:--|—|-- ?\u00a0?)\s*$")
RULE = re.compile(r"^\s*(?:_{3,}|-{3,}|={3,}|\*{3,})\s*$")  # a line drawn across: ____, ----, ====

_DEVICE = (
    r"iphone?|ipad|ipod|android|samsung|galaxy|mobile|mobil|mobiel|mobilu|handy|smartphone|blackberry|huawei|"
    r"pixel|"
    r"xiaomi|redmi|oneplus|motorola|nokia|oppo|honor|xperia|sony|lg|phone|telefon|téléphone|teléfono|telefono|"
    r"telefone|tablet|outlook|gmail|yahoo(?: mail)?|aol|proton ?mail|tutanota|spark|airmail|bluemail|"
    r"(?:windows )?mail(?: for windows| für windows| pour windows)?|thunderbird|mac|macbook|ios|icloud|web\.de|"
    r"gmx|"
    r"t-online|orange|libero|wp\.pl|onet|o2|seznam|zoho|superhuman|newton|edison|k-9|fairemail|ipados"
)
_PREFIX = (
    r"sent from|sent via|sent with|sent using|sent on|from my|get outlook for|von meinem|von unterwegs|"
    r"gesendet von|"
    r"gesendet mit|envoy[ée] (?:de|depuis|avec|à partir de)|enviado (?:desde|con|do|de|a partir do|pelo|via)|"
    r"inviato da|inviato dal|inviato con|verzonden (?:met|vanaf|van)|verstuurd (?:met|vanaf|van)|"
    r"wys[łl]ane z|wys[łl]ano z|skickat fr[åa]n|skickad fr[åa]n|sendt fra|l[äa]hetetty|odesl[áa]no z|"
    r"odoslan[ée] z|elk[üu]ldve|k[üu]ldve|trimis de pe|trimis cu|trimis din|poslano s|poslano iz|poslano sa|"
    r"poslato sa|εστάλη από|στάλθηκε από|отправлено с|отправлено из|надіслано з|изпратено от|enviat des de|"
    r"enviat amb|发自我的|发自|从我的|来自我的|寄件自|傳送自"
)
_SUFFIX = r"gesendet|verstuurd|g[öo]nderildi|から送信|에서 보냄|에서 전송됨|l[äa]hetetty|k[üu]ldve|sent"
MOBILE_LINE = re.compile(
    rf"^\W{{0,3}}(?:(?:{_PREFIX})\s*(?:my|mein(?:em)?|mon|ma|mi|mio|mijn|moje(?:go)?|meu|min|mitt|m[ée]ho|m[ôo]jho|"
    rf"mog|mojega|il mio|el meu|la mia|le|la|the|an?|"
    rf"[a-z]{{0,3}})?\s*[^,;:!?]{{0,25}}?(?:{_DEVICE})'?\w{{0,6}}(?![\w])[^,;:!?]{{0,30}}|"
    rf"(?:my |mein(?:em)? |nanu |나의 )?[^,;:!?\s]{{0,20}}\s?(?:{_DEVICE})[^,;:!?]{{0,20}}?\s*(?:{_SUFFIX}))\W{{0,3}}$",
    re.IGNORECASE,
)

# Disclaimers: the message itself as the subject, then confidentiality or the intended recipient.
_MESSAGE = (
    r"e-?mails?|messages?|nachricht|courriel|mensaje|correo|messaggio|bericht|wiadomo[śs][ćc]|mensagem|"
    r"missatge|"
    r"meddelande|meddelelse|melding|viesti|s[äa]hk[öo]posti|zpr[áa]va|spr[áa]va|[üu]zenet|lev[ée]l|mesaj|"
    r"poruka|"
    r"sporo[čc]ilo|ileti|posta|μήνυμα|сообщение|письмо|повідомлення|лист|邮件|郵件|メール|메일|information|"
    r"informationen|informations|informaci[óo]n|informazioni|informatie|informacje|informa[çc][õo]es"
)
_CONFIDENTIAL = (
    r"confiden|vertraulich|riservat|vertrouwelijk|pouf|konfidentiell|fortrolig|luottamuksellinen|"
    r"d[ůu]v[ěe]rn|d[ôo]vern|bizalmas|povjerljiv|zaupn|gizli|εμπιστευτικ|конфиденциальн|конфіденційн|"
    r"保密|機密|秘密|기밀|privileg|legally protected|rechtlich gesch[üu]tzt"
)
_RECIPIENT = (
    r"intended (?:only )?(?:solely )?for|intended recipient|addressee|destinataire|destinatari|empf[äa]nger|"
    r"adressat|geadresseerde|destinat[áa]rio|mottagare|modtager|vastaanottaja|adres[áa]t|c[íi]mzett|"
    r"destinatar|primatelj|naslovnik|al[ıi]c[ıi]|παραλήπτη|получател|адресат|одержувач|收件人|受信者|수신자|"
    r"in error|by mistake|irrt[üu]mlich|par erreur|por error|per errore|per vergissing|omy[łl]kowo|"
    r"por engano|"
    r"av misstag|ved en fejl|virheellisesti|omylem|t[ée]ved[ée]sb[őo]l|din gre[șs]eal[ăa]|gre[šs]kom|"
    r"pomotoma|yanl[ıi][şs]l[ıi]kla|κατά λάθος|по ошибке|помилково|误|誤って|잘못"
)
DISCLAIMER_HEADING = re.compile(
    r"^\W*(?:disclaimer|confidentiality (?:notice|note|statement)|legal (?:notice|disclaimer)|privileged (?:and|&) "
    r"confidential|haftungsausschluss|vertraulichkeitshinweis|rechtlicher hinweis|wichtiger hinweis|avertissement|"
    r"avis de confidentialit[ée]|clause de confidentialit[ée]|aviso legal|aviso de confidencialidad|cl[áa]usula de "
    r"confidencialidad|avviso di riservatezza|informativa (?:sulla )?privacy|nota di riservatezza|vertrouwelijkheid|"
    r"klauzula poufno[śs]ci|zastrze[żz]enie|aviso de confidencialidade|aviso legal|ansvarsfriskrivning|"
    r"ansvarsfraskrivelse|vastuuvapauslauseke|upozorn[ěe]n[íi]|jogi nyilatkozat|declinarea responsabilit[ăa][țt]ii|"
    r"odricanje od odgovornosti|yasal uyar[ıi]|αποποίηση ευθύνης|отказ от ответственности|застереження|"
    r"免责声明|免責事項|"
    r"면책 조항)\b",
    re.IGNORECASE,
)
_OPENING = (
    r"this|the|any|all|such|diese[rsm]?|die|der|das|der inhalt|ce|cet|cette|ces|les?|la|le pr[ée]sent|este|"
    r"esta|"
    r"estos|el|los|el contenido|questo|questa|il|i|il contenuto|le informazioni|dit|deze|de|de inhoud|ta|"
    r"niniejsz[ay]|"
    r"tre[śs][ćc]|a|o|as|os|detta|denna|denne|dette|t[äa]m[äa]|tento|t[áa]to|ez|az|acest|aceast[ăa]|ovaj|ova|"
    r"ovo|"
    r"to|bu|αυτό|το|это|данное|цей|ця|此|本|この|이|information|informationen|informations|las informaciones"
)
DISCLAIMER_OPENING = re.compile(rf"^\W*(?:{_OPENING})\b.{{0,80}}?(?:{_MESSAGE})", re.IGNORECASE)
DISCLAIMER_CONFIDENTIAL = re.compile(rf"(?:{_CONFIDENTIAL})", re.IGNORECASE)
DISCLAIMER_RECIPIENT = re.compile(rf"(?:{_RECIPIENT})", re.IGNORECASE)
DISCLAIMER_LEGAL = re.compile(
    r"prohibited|strictly|unauthori[sz]ed|disclos|copying|distribution|verboten|untersagt|weitergabe|interdit|"
    r"prohib|vietat|verboden|zabronion|proibid|f[öo]rbjud|forbudt|kielletty|zak[áa]z[áa]n|tilos|interzis|zabranjen|"
    r"prepovedan|yasak|απαγορεύ|запрещ|заборон|禁止|금지",
    re.IGNORECASE,
)
ENVIRONMENT = re.compile(
    r"^\W*(?:please (?:consider|think of) the environment|think before you print|bitte denken sie an die umwelt|"
    r"bitte (?:pr[üu]fen sie|[üu]berlegen sie), ob|pensez (?:à l'environnement|à la planète)|"
    r"(?:antes de imprimir|avant d'imprimer|prima di stampare|voordat u (?:deze )?e-?mail print|denk aan het milieu|"
    r"zanim wydrukujesz|pomy[śs]l o [śs]rodowisku|antes de imprimir)\b)",
    re.IGNORECASE,
)


def cut_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """The lines of the person's text, and the lines cut as signature or disclaimer."""
    body: list[str] = []
    signature: list[str] = []
    for index, line in enumerate(lines):
        if DELIMITER.match(line) and index > 0:
            signature.extend(lines[index:])
            break
        if _is_mobile_line(line):
            signature.append(line)
            continue
        body.append(line)
    body, disclaimer = _cut_disclaimers(body)
    return body, disclaimer + signature


def _is_mobile_line(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped) <= 90 and bool(MOBILE_LINE.match(stripped))


def _cut_disclaimers(lines: list[str]) -> tuple[list[str], list[str]]:
    """Trailing paragraphs that are disclaimers; never the first paragraph."""
    paragraphs = _paragraphs(lines)
    cut = len(paragraphs)
    while cut > 1 and _is_disclaimer(paragraphs[cut - 1][1], paragraphs[cut - 1][0] > 0):
        cut -= 1
    # a heading or a rule right above the first disclaimer paragraph goes with it
    if cut < len(paragraphs):
        while cut > 1 and _is_heading(paragraphs[cut - 1][1]):
            cut -= 1
    if cut == len(paragraphs) or cut == 0:
        return lines, []
    start = paragraphs[cut][0]
    while start > 0 and not lines[start - 1].strip():
        start -= 1
    return lines[:start], [line for line in lines[start:] if line.strip()]


def _paragraphs(lines: list[str]) -> list[tuple[int, str]]:
    """Paragraphs by their first line: blank lines part them, and a rule is one of its own
    (Outlook and Exchange draw a line of underscores right above a disclaimer)."""
    found: list[tuple[int, str]] = []
    start = None
    for index, line in enumerate([*lines, ""]):
        rule = bool(RULE.match(line))
        if line.strip() and not rule:
            if start is None:
                start = index
            continue
        if start is not None:
            found.append((start, " ".join(part.strip() for part in lines[start:index])))
            start = None
        if rule:
            found.append((index, line.strip()))
    return found


def _is_disclaimer(text: str, not_first: bool) -> bool:
    if not not_first:
        return False
    if len(text) < 300 and ENVIRONMENT.match(text):
        return True
    head = text[:400]
    if DISCLAIMER_HEADING.match(head):
        return True
    if len(text) < 60 or not DISCLAIMER_OPENING.match(head):
        return False
    return bool(
        DISCLAIMER_RECIPIENT.search(text[:800])
        or (DISCLAIMER_CONFIDENTIAL.search(head) and DISCLAIMER_LEGAL.search(text[:800]))
    )


def _is_heading(text: str) -> bool:
    return len(text) <= 60 and (bool(DISCLAIMER_HEADING.match(text)) or not re.search(r"[^\W_]", text))
