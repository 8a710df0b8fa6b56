"""The words mail programs write around an earlier message, in the languages they ship in:
attribution lines ("On ... wrote:"), "Original message" dividers, forward dividers and the
field names of a copied header block (Outlook's From:/Sent:/To:/Subject:). Regular
expressions only; each is anchored or bounded, so a line costs linear time."""

from __future__ import annotations

import re

LINE_CAP = 500


class Capped:
    """A pattern that looks at the first LINE_CAP characters only: each pattern here is meant for
    one line, and the cap keeps a hostile line from costing more than a line does."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def match(self, text: str) -> re.Match[str] | None:
        return self.pattern.match(text.lstrip()[:LINE_CAP])

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text[:LINE_CAP])


# The verb of an attribution line, by language: en de fr es it nl pl pt ca sv da no fi cs sk hu ro hr sl
# tr el ru uk bg lt lv et vi id zh ja ko.
_VERBS = (
    r"wrote|writes|schrieb|schreibt|geschrieben|a\s+[ée]crit|escribi[óo]|ha\s+scritto|scrisse|schreef|geschreven|"
    r"napisa[łl](?:\(a\)|a)?|pisze|escreveu|va\s+escriure|ha\s+escrit|skrev|skrevet|kirjoitti|napsal(?:\(a\)|a)?|"
    r"nap[íi]sal(?:\(a\)|a)?|[íi]rta|a\s+scris|napisao(?:\s+je)?|napisala(?:\s+je)?|yazd[ıi]|έγραψε|"
    r"написал(?:\(а\)|а)?|пишет|написав|написала|пише|написа|ra[šs][ėe]|rakst[īi]ja|kirjutas|[đd][ãa]\s+vi[ếe]t|menulis"
)
VERB = re.compile(
    rf"(?:(?<![\w])(?:{_VERBS})(?![\w])|"
    r"写道|寫道|のメール|님이\s*작성|작성|書きました|さんは書きました)",
    re.IGNORECASE,
)
# "sent" is an attribution verb only beside an address ("..., Roman <roman@x.test> sent:").
SENT_VERB = re.compile(r"(?<![\w])(?:sent|sendte|envoy[ée])(?![\w])", re.IGNORECASE)

# The first words of an attribution ("On", "Am", "Le", ...), to join one wrapped over lines.
START = re.compile(
    r"^\s*(?:on|am|le|el|il|il giorno|op|w dniu|dnia|em|den|dne|d[ňn]a|dana|pe|la|v|ο|στις|в|вс|пн|вт|ср|чт|пт|сб|"
    r"quoting|zitat von|citando|p[åa]|vào|tanggal|\d{1,4}[-/.年]|\(?(?:mon|tue|wed|thu|fri|sat|sun)\w*|"
    r"(?:mo|di|mi|do|fr|sa|so)\.?,|(?:lun|mar|mer|jeu|ven|sam|dim)\.?\s)",
    re.IGNORECASE,
)

# A line made only of an "Original message" divider: dashes around the words, or the words alone
# ending in a colon (Apple's "Begin forwarded message:").
_ORIGINAL = (
    r"original message|reply message|ursprüngliche nachricht|originalnachricht|antwort nachricht|"
    r"message d'origine|message original|courriel original|mensaje original|messaggio originale|"
    r"oorspronkelijk bericht|origineel bericht|oryginalna wiadomo[śs][ćc]|wiadomo[śs][ćc] oryginalna|"
    r"mensagem original|missatge original|ursprungligt meddelande|originalmeddelande|oprindelig meddelelse|"
    r"original meddelelse|opprinnelig melding|original melding|alkuper[äa]inen viesti|p[ůu]vodn[íi] zpr[áa]va|"
    r"p[ôo]vodn[áa] spr[áa]va|eredeti [üu]zenet|mesaj original|mesajul original|izvorna poruka|izvorni e-mail|"
    r"izvirno sporo[čc]ilo|orijinal mesaj|[öo]zg[üu]n ileti|αρχικό μήνυμα|исходное сообщение|"
    r"оригинальное сообщение|оригінальне повідомлення|початкове повідомлення|оригинално съобщение|"
    r"原始邮件|原始郵件|原始信件|元のメッセージ|원본 메시지|원래 메시지|pradinis lai[šs]kas|s[ăa]k[ăa]min[ēe]ja zi[ņn]a"
)
_FORWARDED = (
    r"forwarded message|forwarded e-?mail|weitergeleitete nachricht|message transf[ée]r[ée]|message r[ée]exp[ée]di[ée]|"
    r"mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|doorgestuurde e-mail|wiadomo[śs][ćc] przekazana|"
    r"przekazana wiadomo[śs][ćc]|mensagem encaminhada|mensagem reencaminhada|missatge reenviat|"
    r"vidarebefordrat meddelande|vidarebefordrat mejl|videresendt meddelelse|videresendt besked|videresendt melding|"
    r"v[äa]litetty viesti|p[řr]eposlan[áa] zpr[áa]va|preposlan[áa] spr[áa]va|tov[áa]bb[íi]tott [üu]zenet|"
    r"mesaj redirec[țt]ionat|mesaj transmis|proslije[đd]ena poruka|posredovano sporo[čc]ilo|iletilen ileti|"
    r"iletilmi[şs] ileti|προωθημένο μήνυμα|пересылаемое сообщение|пересланное сообщение|переадресованное сообщение|"
    r"переслане повідомлення|препратено съобщение|转发的邮件|轉寄的郵件|转发邮件|転送されたメッセージ|전달된 메시지"
)
_APPLE_FORWARD = (
    r"begin forwarded message|anfang der weitergeleiteten nachricht|d[ée]but du message r[ée]exp[ée]di[ée]|"
    r"inicio del mensaje reenviado|inizio messaggio inoltrato|begin doorgestuurd bericht|"
    r"pocz[ąa]tek przekazywanej wiadomo[śs]ci|pocz[ąa]tek przekazanej wiadomo[śs]ci|"
    r"in[íi]cio da mensagem reencaminhada|"
    r"mensagem encaminhada|inici del missatge reenviat|vidarebefordrat mejl|videresendt besked|"
    r"v[äa]litetty viesti alkaa|"
    r"za[čc][áa]tek p[řr]eposlan[ée] zpr[áa]vy|za[čc]iatok preposlanej spr[áa]vy|tov[áa]bb[íi]tott lev[ée]l kezdete|"
    r"[îi]nceputul mesajului redirec[țt]ionat|po[čc]etak proslije[đd]ene poruke|za[čc]etek posredovanega sporo[čc]ila|"
    r"iletilen ileti ba[şs]lang[ıi]c[ıi]|αρχή προωθημένου μηνύματος|начало переадресованного сообщения|"
    r"пересланное письмо|початок пересланого повідомлення|forwarded message|"
    r"以下是转发的邮件|転送されたメッセージ|전달된 메시지"
)
_DASHES = r"[-_=—–~*\s]"
DIVIDER = re.compile(
    rf"^{_DASHES}*(?:(?P<original>{_ORIGINAL})|(?P<forward>{_FORWARDED}))\s*[:：]?{_DASHES}*$", re.IGNORECASE
)
APPLE_FORWARD = re.compile(rf"^\s*(?:{_APPLE_FORWARD})\s*[:：]\s*$", re.IGNORECASE)
# A divider needs dashes (or Apple's colon): "Original message" alone on a line may be a sentence.
HAS_DASHES = re.compile(r"-{2,}|_{2,}|={2,}|—|–{2,}|~{2,}|[:：]\s*$")
# Android's "---- John Smith wrote ----" and "------On 12/29/1987, Julius wrote-----".
DASHED_ATTRIBUTION = re.compile(rf"^\s*-{{2,}}.{{1,200}}?(?:{_VERBS})\s*-{{2,}}\s*$", re.IGNORECASE)

# Header field names of a copied header block, by language (see _VERBS for the list).
_FROM = (
    r"from|von|de|de la|da|van|od|fr[åa]n|fra|l[äa]hett[äa]j[äa]|felad[óo]|[šs]alje|kimden|από|от|от кого|"
    r"від|发件人|寄件者|寄件人|差出人|보낸 사람|nuo|saatja|dari"
)
_SENT = (
    r"sent|date|gesendet|datum|envoy[ée]|date d'envoi|enviado|enviado el|enviada|fecha|inviato|data|verzonden|"
    r"verstuurd|wys[łl]ano|enviat|skickat|sendt|dato|l[äa]hetetty|p[äa]iv[äa]m[äa][äa]r[äa]|odesl[áa]no|"
    r"odoslan[ée]|elk[üu]ldve|d[áa]tum|trimis|dat[ăa]|poslano|poslato|g[öo]nderildi|g[öo]nderilme|tarih|"
    r"στάλθηκε|ημερομηνία|отправлено|дата|надіслано|відправлено|изпратено|发送时间|日期|寄件日期|時間|送信日時|日付|"
    r"보낸 날짜|날짜|i[šs]si[ųu]sta|nos[ūu]t[īi]ts|saadetud|tanggal"
)
_TO = (
    r"to|an|[àa]|pour|para|per a|aan|do|till|til|vastaanottaja|komu|c[íi]mzett|c[ăa]tre|prima|za|kime|προς|кому|"
    r"до|收件人|收件者|宛先|받는 사람|kam|adressaat|kepada|cc|bcc|kopie|kopia|k[óo]pia|kopio|kopi|kopija|"
    r"m[áa]solatot kap|bilgi|κοιν|копия|копія|抄送|副本|참조|dw|kp|reply-to|antwort an|r[ée]pondre [àa]"
)
_SUBJECT = (
    r"subject|betreff|objet|sujet|asunto|oggetto|onderwerp|temat|assunto|assumpte|tema|[äa]mne|emne|aihe|"
    r"p[řr]edm[ěe]t|predmet|t[áa]rgy|subiect|zadeva|konu|θέμα|тема|主题|主旨|件名|제목|t[ēe]ma|teema|perihal"
)
FIELD_NAMES = "|".join((_FROM, _SENT, _TO, _SUBJECT))
_FIELD = r"\s*\*{0,2}\s*(?:%s)\s*\*{0,2}\s*[:：]"
HEADER_FROM = re.compile(rf"^{_FIELD % _FROM}\s*\*{{0,2}}\s*\S", re.IGNORECASE)
HEADER_DATE = re.compile(rf"^{_FIELD % _SENT}\s*\*{{0,2}}\s*\S", re.IGNORECASE)
HEADER_FIELD = re.compile(rf"^{_FIELD % FIELD_NAMES}", re.IGNORECASE)
HEADER_NAME = re.compile(
    rf"^\s*\*{{0,2}}\s*(?P<name>{FIELD_NAMES})\s*\*{{0,2}}\s*[:：]\s*"
    r"\*{0,2}\s*(?P<value>.*)$",
    re.IGNORECASE,
)
FROM_NAME = re.compile(rf"^(?:{_FROM})$", re.IGNORECASE)
SENT_NAME = re.compile(rf"^(?:{_SENT})$", re.IGNORECASE)
TO_NAME = re.compile(rf"^(?:{_TO})$", re.IGNORECASE)
SUBJECT_NAME = re.compile(rf"^(?:{_SUBJECT})$", re.IGNORECASE)
# A rule of underscores or dashes that Outlook puts above its header block.
RULE = re.compile(r"^\s*(?:_{8,}|-{8,}|={8,}|—{4,})\s*$")

# Subject prefixes of a forward: en de fr es it nl pl pt sv da no fi cs hu ro hr sl tr el ru zh ja ko.
FORWARD_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|sv|antw|odp|r|rif|res)\s*:\s*)*(?:fwd?|wg|tr|rv|enc|i|inoltro|doorst|pd|vb|vs|vl|v[äa]l|"
    r"fw|továbbítás|trimis|proslijedi|ilt|πρθ|пересл|转发|轉寄|転送|전달)\s*[:：]",
    re.IGNORECASE,
)

# A date or an address in an attribution: digits (any date format, ISO with GMT offsets included),
# a month name, or an address.
ADDRESS = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
DIGIT = re.compile(r"\d")
TIME = re.compile(r"\d{1,2}[:.h]\d{2}|\d{4}")

(
    START,
    DIVIDER,
    APPLE_FORWARD,
    HAS_DASHES,
    DASHED_ATTRIBUTION,
    HEADER_FROM,
    HEADER_DATE,
    HEADER_FIELD,
    HEADER_NAME,
    RULE,
    FORWARD_SUBJECT,
) = (  # type: ignore[assignment]  # Capped stands in for a compiled pattern
    Capped(pattern)
    for pattern in (
        START,
        DIVIDER,
        APPLE_FORWARD,
        HAS_DASHES,
        DASHED_ATTRIBUTION,
        HEADER_FROM,
        HEADER_DATE,
        HEADER_FIELD,
        HEADER_NAME,
        RULE,
        FORWARD_SUBJECT,
    )
)
