"""What a partner's human reply means: interested, a question, not now (until when), not
interested, a referral to a colleague, or unclear. Pure: the new text of the reply in, an
`Intent` out, in the eight languages of the campaigns.

It fails safe. Only `interested` may send an invitation, so a reply is `interested` only when
it says so and says nothing that points elsewhere: any sign of "later" makes it `not_now`, any
refusal `not_interested`, a hand-over to a colleague `referral`, a question without a wish to
meet `question`, and anything else `unclear` (a person looks).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from outreach.inbound.dates import DATE, HORIZON, MONTHS, to_date
from outreach.inbound.message import ADDRESS

TEXT_CAP = 4000
SOON = timedelta(days=21)


class IntentKind(StrEnum):
    INTERESTED = "interested"
    QUESTION = "question"
    NOT_NOW = "not_now"
    NOT_INTERESTED = "not_interested"
    REFERRAL = "referral"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    until: date | None = None          # not_now: the day meant
    referral_email: str | None = None  # referral: the colleague, where named
    referral_name: str | None = None

    def as_json(self) -> dict:
        data: dict = {"intent": self.kind.value}
        if self.kind is IntentKind.NOT_NOW:
            data["until"] = self.until.isoformat() if self.until else None
        if self.kind is IntentKind.REFERRAL:
            data.update(referral_email=self.referral_email, referral_name=self.referral_name)
        return data


def words(*alternatives: str) -> re.Pattern:
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


# Handing over to someone else: the phrase, and an address or name after it.
REFERRAL = words(
    r"(?:please )?(?:contact|write to|reach out to|get in touch with|speak(?:ing)? (?:to|with)|talk(?:ing)? to|forward(?:ed)? (?:it|this|your \w+) to)(?! (?:us|me|again)\b)",
    r"(?:my|our) colleague", r"is (?:the right person|responsible|in charge)", r"right person",
    r"(?:in|während) (?:meiner|seiner|ihrer) abwesenheit", r"answering for", r"(?:i am|i'm) (?:replying|answering) (?:for|on behalf of)",
    r"wenden sie sich (?:bitte )?an", r"wende dich an", r"ansprechpartner(?:in)? (?:ist|für)", r"zuständig (?:ist|sind|für)",
    r"meine? kolleg(?:e|in)", r"leite (?:ich )?(?:ihre|deine) (?:nachricht|mail|e-mail) weiter", r"weitergeleitet",
    r"(?:veuillez )?contacter(?! à nouveau)", r"contactez(?!-nous|-moi)", r"adressez-vous à", r"mon collègue", r"ma collègue",
    r"la bonne personne", r"(?:le|la) responsable", r"the right person", r"die richtige (?:person|ansprechpartner\w*)",
    r"la persona (?:adecuada|indicada|giusta)", r"de juiste persoon", r"właściw\w+ osob\w+", r"a pessoa certa",
    r"est (?:en charge|responsable)", r"j'ai transmis",
    r"(?:póngase|ponte) en contacto con", r"contacte con", r"escriba a", r"mi compañer[oa]", r"mi colega",
    r"(?:el|la) responsable", r"escríbale", r"he reenviado",
    r"rivolgersi a", r"si rivolga", r"rivolgetevi", r"contatti", r"scriva a", r"il mio collega", r"la mia collega",
    r"(?:il|la) responsabile",
    r"ho inoltrato",
    r"neem contact op met", r"mail (?:naar|met)", r"mijn collega", r"is verantwoordelijk", r"doorgestuurd",
    r"proszę (?:o )?kontakt(?:ować się)? z", r"napisać do", r"mój kolega", r"moja koleżanka", r"jest odpowiedzialn\w+",
    r"przekazał\w*",
    r"entre em contato com", r"fale com", r"escreva para", r"meu colega", r"minha colega", r"(?:o|a) responsável",
    r"encaminhei",
)

# The one who writes takes over ("please write to me instead").
SELF = words(
    r"(?:please )?(?:write|reply|send (?:it|everything|your \w+)) to me", r"contact me (?:instead|directly|from now on)",
    r"i (?:will|'ll) (?:be|take over as) (?:your|the) (?:contact|point of contact)",
    r"schreiben sie (?:bitte )?(?:künftig |ab sofort )?(?:an )?mich", r"wenden sie sich (?:bitte )?an mich", r"schreib mir",
    r"écrivez-moi", r"contactez-moi", r"escríbame", r"me escriba", r"escríbeme", r"mi scriva", r"scrivetemi", r"scrivimi",
    r"schrijf (?:mij|me)", r"mail (?:mij|me)", r"proszę pisać do mnie", r"proszę o kontakt ze mną", r"escreva-me", r"fale comigo",
)

# Later: a time to come back, or a "not now".
LATER = words(
    r"not (?:right )?now", r"not at (?:the|this) (?:moment|time|stage)", r"not this (?:year|term|semester|month|season)",
    r"maybe later", r"later (?:this|in the|next) \w+", r"next (?:year|term|semester|school year|academic year|spring|autumn|fall|summer|month|quarter)",
    r"after (?:the )?(?:summer|holidays|summer holidays|easter|christmas|new year|the break)",
    r"(?:in|from|until|after) (?:q[1-4]|the (?:first|second|third|fourth) quarter)", r"get back to you (?:in|after|later|next)",
    r"currently (?:too busy|no time|not possible)", r"too busy (?:right now|at the moment|this \w+)", r"come back to (?:me|us)",
    r"ask (?:me|us) again", r"(?:contact|write to) (?:me|us) again", r"revisit", r"try again (?:in|after|next|later)",
    r"not (?:before|until)", r"(?:fully )?booked (?:up )?until", r"ausgelastet", r"complets? jusqu", r"pas avant", r"nicht vor", r"no antes de", r"non prima di", r"niet voor", r"nie wcześniej niż",
    r"não antes de", r"(?:noch ?mal|noch einmal|erneut) melden", r"in (?:a few|two|three|some|\d+) (?:weeks|months)",
    r"zurzeit nicht", r"derzeit nicht", r"momentan nicht", r"im moment nicht", r"aktuell nicht", r"später", r"nächste[sn]? (?:jahr|schuljahr|halbjahr|monat|quartal)",
    r"nach (?:den )?(?:sommerferien|ferien|ostern|weihnachten|dem sommer)", r"im (?:herbst|frühjahr|frühling|sommer|winter)",
    r"melden sie sich (?:gerne )?(?:wieder|nochmal|noch einmal)", r"kommen sie (?:gerne )?(?:wieder|später) auf (?:uns|mich) zu",
    r"pas (?:pour le )?moment", r"pas maintenant", r"plus tard", r"l'année prochaine", r"à la rentrée", r"après l'été",
    r"après (?:les )?vacances", r"recontacte[rz]", r"revenez vers nous", r"dans (?:quelques|deux|trois|\d+) (?:semaines|mois)",
    r"más adelante", r"ahora no", r"en este momento no", r"el próximo año", r"el año que viene", r"después del verano",
    r"después de (?:las )?vacaciones", r"vuelva a contactar\w*", r"dentro de (?:unas|dos|tres|\d+) (?:semanas|meses)",
    r"più avanti", r"non ora", r"al momento no", r"in questo momento no", r"l'anno prossimo", r"dopo l'estate",
    r"dopo le (?:vacanze|ferie)", r"ricontatt\w+", r"tra (?:qualche|due|tre|\d+) (?:settimane|mesi)",
    r"later dit jaar", r"op dit moment niet", r"nu (?:even )?niet", r"volgend jaar", r"na de (?:zomer|zomervakantie|vakantie)",
    r"neem later (?:opnieuw )?contact", r"over (?:een paar|twee|drie|\d+) (?:weken|maanden)",
    r"później", r"nie teraz", r"w tej chwili nie", r"obecnie nie", r"w przyszłym roku", r"po wakacjach", r"po lecie",
    r"proszę (?:się )?(?:odezwać|skontaktować) (?:ponownie|później)", r"za (?:kilka|dwa|trzy|\d+) (?:tygodni|miesięcy)",
    r"mais tarde", r"agora não", r"no momento não", r"neste momento não", r"no próximo ano", r"depois do verão",
    r"depois das férias", r"volte a (?:nos )?contactar", r"voltar a falar", r"daqui a (?:algumas|duas|três|\d+) (?:semanas|meses)",
)

REFUSAL = words(
    r"not interested", r"no interest", r"decided (?:not|against)", r"(?:not|no longer) (?:to )?take on",
    r"grundsätzlich nicht", r"beteiligen uns (?:\w+ )?nicht", r"(?:ne )?(?:donner(?:ons|a)? )?pas (?:de )?suite",
    r"no (?:daremos|vamos a dar) (?:curso|seguimiento)", r"non (?:daremo|possiamo dare) seguito", r"geen gevolg",
    r"nie skorzystamy", r"não (?:daremos|vamos dar) seguimento", r"(?:not|isn't|aren't|is not) (?:a )?(?:good |right )?fit",
    r"(?:not|isn't|is not) (?:really )?for us", r"not relevant", r"no capacity",
    r"(?:we|i)(?:'ll| will)? pass(?: on (?:this|it|that))?", r"we (?:don't|do not) (?:take|offer|have|need|do)\b",
    r"doesn't (?:concern|apply to) us", r"not something we can", r"can(?:no|')t commit", r"kein bedarf",
    r"doen (?:hier )?niet (?:aan )?mee", r"machen (?:da )?nicht mit", r"ne participerons pas", r"no participaremos",
    r"non parteciperemo", r"nie weźmiemy udziału", r"não vamos participar", r"pas de besoin", r"non è di nostro interesse",
    r"en absoluto", r"no use for", r"prefer not to", r"lieber nicht", r"préfér\w+ ne pas",
    r"preferimos no", r"preferiamo non", r"liever niet", r"wolimy nie", r"preferimos não",
    r"(?:do|does|can) ?n[o']t (?:see|offer|take|participate|commit|support)\w*", r"unable to (?:participate|take part|commit|support)",
    r"we (?:will|must|have to) (?:pass|decline)", r"(?:have to|must|will) decline", r"no need", r"no,? thank(?:s| you)",
    r"unfortunately (?:we|i) (?:can|could|will|do)n?'?o?t", r"please remove", r"take (?:me|us) off",
    r"kein(?:e|en)? (?:interesse|bedarf|kapazität\w*|möglichkeit)", r"leider (?:nicht|kein\w*|müssen wir absagen)", r"passt (?:leider )?nicht",
    r"nein,? danke", r"absagen", r"nicht (?:interessiert|in frage)", r"nichts für uns", r"betrifft uns nicht",
    r"(?:bilden|nehmen|suchen|brauchen) (?:leider )?(?:nicht|keine?\w*)",
    r"pas intéressée?s?", r"ne sommes pas intéressés", r"pas pour nous", r"pas de (?:capacité|besoin|disponibilité)",
    r"ne pouvons pas", r"malheureusement (?:nous )?(?:ne|pas)", r"non,? merci", r"décliner", r"ne nous concerne pas",
    r"rien pour nous",
    r"no (?:nos )?interesa", r"no estamos interesados", r"no tenemos (?:capacidad|interés|necesidad)", r"no podemos",
    r"lamentablemente no", r"no,? gracias", r"no es para nosotros",
    r"non (?:siamo |sono )?interessat[oi]", r"non abbiamo (?:capacità|interesse|bisogno)", r"non possiamo",
    r"purtroppo non", r"no,? grazie", r"non fa per noi",
    r"geen (?:interesse|capaciteit|behoefte)", r"niet geïnteresseerd", r"helaas (?:niet|geen)", r"kunnen (?:we )?niet",
    r"nee,? bedankt", r"niets voor ons",
    r"nie (?:jesteśmy|jestem) zainteresowan\w+", r"nie jesteśmy w stanie", r"brak (?:zainteresowania|możliwości|potrzeby)",
    r"niestety nie", r"nie,? dziękuję", r"nic dla nas",
    r"não (?:temos|tenho) interesse", r"sem (?:interesse|capacidade)", r"não (?:podemos|conseguimos)",
    r"infelizmente não", r"não,? obrigad[oa]", r"não é para nós",
)

# A wish to talk or meet: enough for `interested`, questions about when included.
MEETING = words(
    r"happy to (?:talk|meet|chat|discuss|join)", r"let'?s (?:talk|meet|chat|connect|schedule|set up|arrange)",
    r"(?:could|can|shall) we (?:talk|meet|schedule|arrange|set up|have a call|do a call|chat)", r"when can we (?:meet|talk)",
    r"(?:call|meeting|chat) (?:works|would work|sounds)", r"(?:tuesday|monday|wednesday|thursday|friday) (?:works|would work|is fine|suits)",
    r"available (?:on|next|this|for)", r"(?:i'?ll|i will|let me) call you", r"(?:teams|zoom) call", r"set up a (?:meeting|call)",
    r"count (?:me|us) in", r"have a (?:quick |short )?(?:chat|call|talk)", r"calendar invit\w*",
    r"send (?:me|us) (?:an? )?(?:calendar )?invit\w*", r"(?:do|would) you have (?:time|a moment|a slot)",
    r"(?:una|a) (?:llamada|videollamada)", r"(?:le|te|os|les) viene bien", r"(?:works|suits) (?:for )?you", r"give me a (?:ring|call|buzz)", r"(?:send|propose|suggest) (?:me |us )?(?:a couple of |some |a few )?(?:dates|times|slots)",
    r"créneau", r"sentiamoci", r"vamos (?:falar|conversar|marcar)", r"stuur (?:maar )?een uitnodiging", r"einladung", r"(?:a|the) date for (?:a|the|our) (?:first )?(?:meeting|call)",
    r"propose (?:a|some) (?:date|time)s?", r"terminvorschläg\w*", r"propozycj\w+ terminu", r"ci sentiamo",
    r"lassen sie uns", r"lass uns", r"termin", r"(?:kurzes|gemeinsames) (?:gespräch|telefonat)", r"telefonieren",
    r"(?:ich )?rufe (?:sie|dich) (?:\w+ )?an", r"passt (?:mir|uns|gut|am|ihnen|dir|es ihnen)", r"treffen",
    r"je suis disponible", r"nous sommes disponibles", r"(?:un |prendre |fixer un )?rendez-vous", r"parlons-en",
    r"je vous (?:appelle|rappelle)", r"appelez-moi", r"échanger", r"un échange",
    r"hablemos", r"reunión", r"estoy disponible", r"podemos hablar", r"llámeme", r"organicemos",
    r"sentirci", r"incontrarci", r"sono disponibile", r"possiamo (?:sentirci|parlare|vederci)", r"fissiamo", r"un incontro",
    r"mi chiami",
    r"afspraak", r"laten we", r"bel me", r"kunnen we (?:volgende week |binnenkort )?(?:bellen|afspreken|praten)",
    r"ben (?:\w+ )?beschikbaar", r"wanneer schikt",
    r"spotkani\w+", r"porozmawiajmy", r"jestem dostępn\w+", r"umówmy się", r"porozmawiam",
    r"vamos (?:conversar|marcar)", r"estou disponível", r"reunião", r"podemos (?:conversar|falar)", r"ligue-me",
)

# Glad, interested: `interested` unless a question asks what it would mean first.
POSITIVE = words(
    r"interested", r"sounds (?:good|great|interesting)", r"would (?:love|like|be glad|be happy) to",
    r"(?:we|i|they)'d (?:love|like|be glad|be happy|be keen) to", r"love to", r"glad to", r"sure[,!.]",
    r"(?:nos|me) encantar\w+", r"adoraríamos",
    r"yes,? (?:please|pls|happy|we|i|gladly|sure|let)", r"great idea", r"good idea", r"with pleasure", r"gladly",
    r"exactly what we", r"very relevant", r"keen", r"pourquoi pas", r"interesante", r"interessante", r"interessant",
    r"interesujące", r"me parece (?:bien|interesante)", r"certo", r"claro", r"(?:glad|happy) to host", r"count on us", r"we'?d be glad",
    r"(?:ci|mi) piacerebbe", r"nos gustaría", r"chcielibyśmy", r"wir würden (?:uns )?freuen", r"nous aimerions",
    r"interesuje", r"gostaríamos",
    r"interessiert", r"gerne", r"gern", r"klingt (?:gut|spannend|interessant)", r"sehr gern", r"(?:sehr )?relevant",
    r"intéressée?s?", r"nous intéresse", r"avec plaisir", r"volontiers", r"ça me (?:va|convient)", r"(?:très )?bonne idée",
    r"interesad[oa]s?", r"nos interesa", r"con gusto", r"encantad[oa]s?", r"buena idea", r"claro que sí",
    r"interessat[oi]", r"volentieri", r"con piacere", r"(?:buona|ottima) idea",
    r"geïnteresseerd", r"graag", r"goed idee", r"klinkt goed", r"prima", r"leuk",
    r"zainteresowan\w+", r"chętnie", r"dobry pomysł", r"z przyjemnością",
    r"interessad[oa]s?", r"(?:temos )?(?:muito )?interesse", r"com (?:todo o )?prazer", r"boa ideia",
)

WHEN = words(r"when", r"what time", r"which day", r"wann", r"welcher tag", r"quand", r"quel jour", r"cuándo", r"qué día",
             r"quando", r"che giorno", r"wanneer", r"welke dag", r"kiedy", r"który dzień", r"que dia", r"pasuje",
             # a weekday asked about is a time to meet
             r"monday", r"tuesday", r"wednesday", r"thursday", r"friday", r"montag", r"dienstag", r"mittwoch",
             r"donnerstag", r"freitag", r"lundi", r"mardi", r"mercredi", r"jeudi", r"vendredi", r"lunes", r"martes",
             r"miércoles", r"jueves", r"viernes", r"lunedì", r"martedì", r"mercoledì", r"giovedì", r"venerdì",
             r"maandag", r"dinsdag", r"woensdag", r"donderdag", r"vrijdag", r"poniedziałek", r"wtorek", r"środa",
             r"czwartek", r"piątek", r"segunda", r"terça", r"quarta", r"quinta", r"sexta")

SEASONS = {  # the day a "later" means, as (month, day), the year after today when past
    "summer": (9, 1), "sommer": (9, 1), "sommerferien": (9, 1), "rentrée": (9, 1), "l'été": (9, 1), "verano": (9, 1),
    "estate": (9, 1), "zomer": (9, 1), "zomervakantie": (9, 1), "wakacjach": (9, 1), "lecie": (9, 1), "verão": (9, 1),
    "férias": (9, 1), "vacances": (9, 1), "vacaciones": (9, 1), "vacanze": (9, 1), "ferie": (9, 1), "ferien": (9, 1),
    "holidays": (9, 1), "vakantie": (9, 1), "herbst": (9, 15), "autumn": (9, 15), "fall": (9, 15),
    "frühjahr": (3, 15), "frühling": (3, 15), "spring": (3, 15), "winter": (12, 1), "christmas": (1, 8),
    "weihnachten": (1, 8), "new year": (1, 8), "printemps": (3, 15), "primavera": (3, 15), "wiosną": (3, 15),
    "wiosna": (3, 15), "voorjaar": (3, 15), "otoño": (9, 15), "autunno": (9, 15), "outono": (9, 15), "automne": (9, 15),
    "herfst": (9, 15), "jesienią": (9, 15), "jesień": (9, 15), "invierno": (12, 1), "inverno": (12, 1), "hiver": (12, 1),
    "jaarwisseling": (1, 8), "nouvel an": (1, 8), "año nuevo": (1, 8), "capodanno": (1, 8), "nowy rok": (1, 8),
    "ano novo": (1, 8), "jahreswechsel": (1, 8),
}
QUARTER = re.compile(r"\b(?:q([1-4])|(first|second|third|fourth) quarter)\b", re.IGNORECASE)
RELATIVE = re.compile(r"\b(?:in|dans|dentro de|tra|over|za|daqui a)\s+(\d+|a few|two|three|some|quelques|deux|trois|"
                      r"unas|dos|tres|qualche|due|tre|een paar|twee|drie|kilka|dwa|trzy|algumas|duas|três)\s+"
                      r"(weeks|months|semaines|mois|semanas|meses|settimane|mesi|weken|maanden|tygodni|miesięcy)\b",
                      re.IGNORECASE)
NEXT_YEAR = words(r"next year", r"nächstes jahr", r"l'année prochaine", r"el (?:próximo año|año que viene)",
                  r"l'anno prossimo", r"volgend jaar", r"w przyszłym roku", r"no próximo ano")
EASTER = words(r"(?:after|until) easter", r"(?:nach|bis) ostern", r"jusqu'à pâques", r"après pâques", r"después de semana santa", r"dopo pasqua",
               r"na pasen", r"po wielkanocy", r"depois da páscoa")


def intent_of(text: str, today: date, sender: str | None = None, ours: tuple[str, ...] = ()) -> Intent:
    text = unicodedata.normalize("NFC", text[:TEXT_CAP]).replace("\u2019", "'")
    flat = " ".join(text.split())
    referral = _referral(flat, sender, ours)
    if referral is not None:
        return referral
    when = _when(flat, today)
    meeting, positive = MEETING.search(flat), _unnegated(POSITIVE, flat)
    if positive is None and POSITIVE.search(flat) and not meeting:  # "nie jesteśmy tym zainteresowani"
        return Intent(IntentKind.NOT_NOW, until=when) if when else Intent(IntentKind.NOT_INTERESTED)
    later = when is not None and when > today + SOON  # talking about a time weeks away is "later", whatever else
    if LATER.search(flat) or later or (REFUSAL.search(flat) and when) or (when and not meeting and not positive):
        return Intent(IntentKind.NOT_NOW, until=when or today + timedelta(days=90))
    if REFUSAL.search(flat):
        return Intent(IntentKind.NOT_INTERESTED)
    asks = "?" in flat
    if meeting or (positive and (not asks or WHEN.search(flat))):
        return Intent(IntentKind.INTERESTED)
    if asks:
        return Intent(IntentKind.QUESTION)
    return Intent(IntentKind.UNCLEAR)


NEGATION = re.compile(r"(?<!\w)(?:not|no|never|nicht|kein\w*|nie|pas|ne|n'|non|niet|geen|nie|não|nao|inte|nunca|mai)(?!\w)",
                      re.IGNORECASE)


def _unnegated(pattern: re.Pattern, flat: str):
    """The first match of `pattern` that no negation stands just before (three words or so)."""
    for found in pattern.finditer(flat):
        if not NEGATION.search(flat[max(0, found.start() - 30):found.start()]):
            return found
    return None


def _referral(flat: str, sender: str | None, ours: tuple[str, ...]) -> Intent | None:
    if SELF.search(flat) and sender:  # "I answer for Eva, please write to me": the sender takes over
        return Intent(IntentKind.REFERRAL, referral_email=sender.lower())
    known = {a.lower() for a in ours} | ({sender.lower()} if sender else set())
    address = next((a.lower() for a in ADDRESS.findall(flat) if a.lower() not in known), None)
    found = REFERRAL.search(flat)
    if address is not None and (found or HAND_OVER.search(flat)):
        return Intent(IntentKind.REFERRAL, referral_email=address, referral_name=_name_near(flat, address))
    if not found or "?" in flat or LATER.search(flat) or REFUSAL.search(flat):
        return None
    name = _name_after(re.split(r"[.!?\n]", flat[found.end():found.end() + 80])[0])
    if name is None or (len(name.split()) < 2 and not TITLED.search(flat[found.end():found.end() + 40])):
        return None
    return Intent(IntentKind.REFERRAL, referral_name=name)


# With an address in the text, any of these words makes it a hand-over.
HAND_OVER = words(r"passed", r"forward\w*", r"sprechen", r"talk\w*", r"speak\w*", r"\w*kontakt\w*", r"\w*contat\w*",
                  r"contacte\w*", r"zwr[oó]\w+", r"ask\w*", r"fragen", r"in touch", r"en relation", r"in kontakt", r"in contatto",
                  r"en contacto", r"in contact", r"w kontakt\w*", r"em contacto", r"email \w+", r"handles", r"in charge", r"responsible", r"write", r"contact\w*", r"schreiben",
                  r"kümmer\w+", r"écri\w+", r"escrib\w+", r"scriv\w+", r"schrijf", r"mail", r"pisać", r"napisz\w*",
                  r"escrev\w+", r"e-?mail")
TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Herr|Herrn|Frau|M\.|Mme|Sr\.?|Sra\.?|Sig\.?(?:ra)?|Pan|Pani|dhr\.|mevr\.)\s",
                    re.IGNORECASE)


def _name_near(flat: str, address: str) -> str | None:
    """A name written just before the address ("Anna Berg (anna.berg@...)", "Pablo: pablo@...")."""
    at = flat.lower().find(address)
    before = re.split(r"[.!?]", flat[max(0, at - 60):at])[-1]
    names = [m.group(1) for m in NAME.finditer(before) if m.group(1).split()[0].lower() not in CLOSINGS]
    return names[-1] if names else None


NAME = re.compile(r"(?:(?:Mr|Mrs|Ms|Dr|Herr|Frau|M\.|Mme|Sr\.?|Sra\.?|Sig\.?(?:ra)?|Pan|Pani|dhr\.|mevr\.)\s+)?"
                  r"([A-ZÄÖÜÉÈÁÍÓÚÑŁŚŻŹĆ][\w'-]+(?:\s+[A-ZÄÖÜÉÈÁÍÓÚÑŁŚŻŹĆ][\w'-]+){0,2})")


CLOSINGS = {"best", "kind", "regards", "thanks", "thank", "met", "mit", "viele", "beste", "cordialement", "bien", "un",
            "saludos", "cordiali", "distinti", "pozdrawiam", "com", "atenciosamente", "sincerely", "cheers", "groet",
            "please", "bitte", "merci", "gracias", "grazie", "dziękuję", "obrigado", "hr", "the"}


def _name_after(text: str) -> str | None:
    found = NAME.search(text)
    if not found or found.start() >= 30 or found.group(1).split()[0].lower() in CLOSINGS:
        return None
    return found.group(1)


def _when(flat: str, today: date) -> date | None:
    """The day a "later" means, where the reply says: a date, a month, a season, a quarter,
    "next year", "after Easter", "in three weeks". Never further than HORIZON ahead."""
    day = _said_when(flat, today)
    return day if day is not None and day <= today + HORIZON else None


def _said_when(flat: str, today: date) -> date | None:
    for found in DATE.finditer(flat):
        day = to_date(found, today)
        if day is not None and today < day <= today + HORIZON:
            return day
    lower = flat.lower()
    if EASTER.search(lower):
        return _easter(today.year if _easter(today.year) > today else today.year + 1) + timedelta(days=1)
    for word, (month, day) in SEASONS.items():
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lower):
            return _next(today, month, day)
    quarter = QUARTER.search(lower)
    if quarter:
        number = int(quarter.group(1) or ["first", "second", "third", "fourth"].index(quarter.group(2).lower()) + 1)
        return _next(today, 3 * number - 2, 1)
    relative = RELATIVE.search(lower)
    if relative:
        count = min(_number(relative.group(1)), 1000)  # "in 99999999999 weeks" is no date
        weeks = relative.group(2).startswith(("week", "sem", "sett", "wek", "tyg"))
        return today + timedelta(days=count * (7 if weeks else 30))
    if NEXT_YEAR.search(lower):
        return date(today.year + 1, 1, 15)
    for name, month in MONTHS.items():
        if len(name) > 3 and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", lower):
            return _next(today, month, 1)
    return None


def _next(today: date, month: int, day: int) -> date:
    candidate = date(today.year, month, day)
    return candidate if candidate > today else date(today.year + 1, month, day)


def _number(text: str) -> int:
    if text.isdigit():
        return int(text[:6])
    return 3 if text.lower() in ("three", "trois", "tres", "tre", "drie", "trzy", "três") else 2


def _easter(year: int) -> date:
    """Easter Sunday (the Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    return date(year, month, (h + l - 7 * m + 114) % 31 + 1)
