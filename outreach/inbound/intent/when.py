"""Times a reply names, in the eight languages: dates, months, seasons, quarters, holidays,
"next year", "in three months". Each mention is resolved to a day after the reply, and
marked by what stands around it: an end of absence ("until", "bis", "jusqu'au"), a wish to
be contacted again in the same sentence ("get back to us", "melden Sie sich", "revenez
vers nous"). `until_of` picks the day a "not now" means: the time the partner asks us to
come back, never a mere end of absence when a wish names another time."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from outreach.inbound.dates import DATE, HORIZON, to_date

MONTH_NAMES = {
    1: "january januar janner jaenner janvier enero gennaio januari styczen stycznia styczniu janeiro",
    2: "february februar fevrier febrero febbraio februari luty lutego lutym fevereiro",
    3: "march marz maerz mars marzo maart marzec marca marcu marco",
    4: "april avril abril aprile kwiecien kwietnia kwietniu",
    5: "may mai mayo maggio mei maj maja maju maio",
    6: "june juni juin junio giugno czerwiec czerwca czerwcu junho",
    7: "july juli juillet julio luglio lipiec lipca lipcu julho",
    8: "august aout agosto augustus sierpien sierpnia sierpniu",
    9: "september septembre septiembre setiembre settembre wrzesien wrzesnia wrzesniu setembro",
    10: "october oktober octobre octubre ottobre pazdziernik pazdziernika pazdzierniku outubro",
    11: "november novembre noviembre listopad listopada listopadzie novembro",
    12: "december dezember decembre diciembre dicembre grudzien grudnia grudniu dezembro",
}
MONTH = {word: month for month, words in MONTH_NAMES.items() for word in words.split()}
# Words that are also ordinary words: a month only next to a day number or after a time preposition.
AMBIGUOUS = {"may", "mai", "mars", "maj", "marco"}
PREPOSITION = re.compile(
    r"(?:\b(?:in|by|until|till|from|early|mid|late|end of|im|ab|bis|anfang|mitte|ende|en|a|au|"
    r"debut|fin|mi|de|desde|hasta|a partir de|principios de|finales de|mediados de|di|da|dal|"
    r"fino a|inizio|meta|per|tot|vanaf|begin|half|eind|w|od|do|em|ate|meados de|final de|"
    r"next|naechsten|nachsten|prochain)\W{0,2})$"
)

SEASONS = {  # (month, day) a season or holiday points at, after a reply in November
    "spring": (3, 1),
    "fruhjahr": (3, 1),
    "fruhling": (3, 1),
    "printemps": (3, 1),
    "primavera": (3, 1),
    "voorjaar": (3, 1),
    "lente": (3, 1),
    "wiosna": (3, 1),
    "wiosne": (3, 1),
    "summer": (6, 1),
    "sommer": (6, 1),
    "ete": (6, 1),
    "verano": (6, 1),
    "estate": (6, 1),
    "zomer": (6, 1),
    "lato": (6, 1),
    "latem": (6, 1),
    "verao": (6, 1),
    "autumn": (9, 1),
    "fall": (9, 1),
    "herbst": (9, 1),
    "automne": (9, 1),
    "otono": (9, 1),
    "autunno": (9, 1),
    "herfst": (9, 1),
    "jesien": (9, 1),
    "jesienia": (9, 1),
    "outono": (9, 1),
}
AFTER = (
    r"(?:after|nach|apres|despues de|despues del|dopo|na|po|depois de|depois das?|depois dos?|depois do|"
    r"pasando|passata|passato)"
)
AFTER_SEASON = re.compile(
    rf"\b{AFTER}\s+(?:the |den |dem |der |l'|el |la |le |lo |de |het |o |a |las |los |"
    rf"les |des ||)"
    r"(?:summer|sommer\w*|ete|verano|estate|zomer\w*|wakacjach|lecie|verao|ferias|vacances|"
    r"vacaciones|vacanze|ferie|ferien|holidays|vakantie|summer holidays|summer break|"
    r"sommerpause|pausa estiva)\b"
)
HOLIDAYS = re.compile(
    rf"\b(?:{AFTER}\s+(?:the |den |les |las |le |de |as |os |)(?:(?:christmas |)holidays|feiertagen|fetes|"
    rf"fiestas|feste|"
    r"feestdagen|swietach|festas|christmas|weihnachten|noel|navidad|natale|kerst\w*|bozym narodzeniu|natal|"
    r"new year|neujahr|nouvel an|ano nuevo|capodanno|nieuwjaar|nowym roku|ano novo|reyes|jahreswechsel|"
    r"jaarwisseling|year end|jahresende)|(?:in |im |au |en |nel |w |no |)(?:the )?new year|neuen jahr|"
    r"nouvelle annee|ano nuevo|nuovo anno|nieuwe jaar|nowym roku|ano novo|cuesta de enero)\b"
)
EASTER = re.compile(
    rf"\b(?:{AFTER}|until|bis|jusqu'a|hasta|fino a|tot|do|ate)\s+(?:the )?(?:easter|ostern|paques|"
    r"semana santa|pasqua|pasen|wielkanocy|pascoa)\b"
)
QUARTER = re.compile(
    r"\b(?:q([1-4])|t([1-4])|(first|second|third|fourth|ersten|zweiten|dritten|vierten|premier|"
    r"deuxieme|second|troisieme|quatrieme|primer|segundo|tercer|cuarto|primo|secondo|terzo|quarto|"
    r"eerste|tweede|derde|vierde|pierwszym|drugim|trzecim|czwartym|primeiro|terceiro)\s+"
    r"(?:quarter|quartal|trimestre|kwartaal|kwartale))\b"
)
ORDINAL = {
    "first": 1,
    "ersten": 1,
    "premier": 1,
    "primer": 1,
    "primo": 1,
    "eerste": 1,
    "pierwszym": 1,
    "primeiro": 1,
    "second": 2,
    "zweiten": 2,
    "deuxieme": 2,
    "segundo": 2,
    "secondo": 2,
    "tweede": 2,
    "drugim": 2,
    "third": 3,
    "dritten": 3,
    "troisieme": 3,
    "tercer": 3,
    "terzo": 3,
    "derde": 3,
    "trzecim": 3,
    "terceiro": 3,
    "fourth": 4,
    "vierten": 4,
    "quatrieme": 4,
    "cuarto": 4,
    "quarto": 4,
    "vierde": 4,
    "czwartym": 4,
}
NUMBER = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "six": 6,
    "couple of": 2.5,
    "few": 3,
    "a few": 3,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "sechs": 6,
    "paar": 2.5,
    "ein paar": 2.5,
    "einigen": 3,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "quelques": 3,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "seis": 6,
    "un par de": 2.5,
    "unos": 3,
    "unas": 3,
    "unos seis": 6,
    "due": 2,
    "tre": 3,
    "quattro": 4,
    "sei": 6,
    "qualche": 3,
    "un paio di": 2.5,
    "twee": 2,
    "drie": 3,
    "vier ": 4,
    "zes": 6,
    "een paar": 2.5,
    "enkele": 3,
    "dwa": 2,
    "trzy": 3,
    "cztery": 4,
    "szesc": 6,
    "kilka": 3,
    "pare": 2.5,
    "duas": 2,
    "quatro": 4,
    "alguns": 3,
    "algumas": 3,
    "uns seis": 6,
}
RELATIVE = re.compile(
    r"\b(?:in|within|dans|d'ici|dentro de|en|tra|fra|tra circa|over|za|daqui a|em|circa|about)\s+"
    r"((?:\w+\s+){0,2}?)(\d+|"
    + "|".join(sorted((re.escape(k) for k in NUMBER), key=len, reverse=True))
    + r")(?:\s*[,-]\s*(\w+))?\s+(weeks?|months?|wochen|monaten|semaines|mois|semanas|meses|settimane|mesi|"
    r"weken|maanden|"
    r"tygodni|miesiecy|miesiace)\b"
)
HALF_YEAR = re.compile(
    r"\b(?:half (?:a )?year|six months|halbes jahr|halben jahr|six mois|seis meses|medio ano|"
    r"sei mesi|half jaar|pol roku|meio ano)\b"
)
NEXT_YEAR = re.compile(
    r"\b(?:next year|nachstes jahr|im nachsten jahr|l'annee prochaine|l'an prochain|"
    r"el ano que viene|el proximo ano|l'anno prossimo|il prossimo anno|volgend jaar|"
    r"w przyszlym roku|no proximo ano|para o ano|next yr)\b"
)
SCHOOL_YEAR = re.compile(
    r"\b(?:next school year|next academic year|nachste[ns]? schuljahr|rentree|nuevo curso|"
    r"proximo curso|prossimo anno scolastico|volgend schooljaar|przyszlym roku szkolnym|"
    r"proximo ano letivo)\b"
)
WEEKDAY = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|montag|dienstag|mittwoch|donnerstag|freitag|"
    r"lundi|mardi|mercredi|jeudi|vendredi|lunes|martes|miercoles|jueves|viernes|lunedi|martedi|"
    r"mercoledi|giovedi|venerdi|maandag|dinsdag|woensdag|donderdag|vrijdag|poniedzialek|wtorek|"
    r"sroda|czwartek|piatek|segunda|terca|quarta|quinta|sexta|next week|nachste woche|"
    r"semaine prochaine|la semana que viene|proxima semana|settimana prossima|volgende week|"
    r"przyszlym tygodniu|proxima semana|tomorrow|morgen|demain|manana|domani|jutro|amanha)\b"
)
UNTIL = re.compile(
    r"\b(?:until|till|til|through|bis(?: zum| zur| ende| mitte| anfang)?|jusqu'(?:a|au|en)|"
    r"jusque|hasta|fino a|fino al|fino alla|fino|tot|tot en met|do|ate|ate ao|ate a)\W{0,3}"
    r"(?:the |den |le |la |el |il |al |o |a |)(?:end of |ende |fin |finales de |fine |eind |"
    r"konca |final de |mid[- ]|mitte |mi-|mediados de |meta |half |polowy |meados de |)$"
)
AGAIN = re.compile(
    r"\b(?:again|get back to|come back to|reach out|follow up|get in touch|contact (?:me|us)|drop me|chase|ask me|"
    r"try (?:me|us)? ?again|revisit|pick (?:this|it) up|look at it then|resubmi\w+|try again|talk|speak|"
    r"wieder|nochmal|noch ?mal|noch einmal|erneut|melden|zukommen|aufgreifen|nachhaken|versuch\w*|probier\w*|"
    r"revenez|revenir|recontact\w*|relance\w*|refaire signe|reprendre|rappelez|parler|en parle\w*|"
    r"vuelva|vuelve|volver|de nuevo|otra vez|escrib\w+|contact\w*|retomar\w*|llamame|busca|recuerd\w+|hablar\w*|"
    r"hablamos|"
    r"ricontatt\w*|risentiamoci|riscriv\w+|riprov\w+|riparl\w+|ne parliamo|sentiamo|allora|riproporre|parlar\w*|"
    r"opnieuw|nog eens|contact op|mail me|mail mij|bericht|laat .* horen|dan praten|praat ik|bekijken|"
    r"ponown\w+|odezw\w+|napisac|napisz|wrocmy|wrocic|kontakt\w*|porozmawia\w*|"
    r"volte\w*|voltar|voltamos|novamente|de novo|contacte\w*|escrev\w+|retomar|falamos|falar|nessa altura)\b"
)
ABSENCE = re.compile(
    r"\b(?:on leave|annual leave|maternity leave|parental leave|sick leave|out of (?:the )?office|away|on holiday|"
    r"off from|closed|not in|back on|urlaub|elternzeit|mutterschutz|krank|abwesend|nicht im haus|nicht da|"
    r"geschlossen|zuruck|conge|absent|ferme|fermee|de retour|vacaciones|baja|fuera|cerrad[oa]|de vuelta|"
    r"ferie|in maternita|malattia|fuori ufficio|chius[oa]|rientro|verlof|vakantie|afwezig|gesloten|terug|urlop\w*|"
    r"nieobecn\w*|nieczynne|zamkniet\w*|zwolnieni\w*|ferias|licenca|ausente|encerrad[oa]|fora)\b"
)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    day: date
    until: bool = False  # "until X": the end of something, an absence or a busy time
    again: bool = False  # in a sentence that asks to be contacted again
    specific: bool = True  # a month, a date, a quarter; not just "next year" or "in summer"

    def far(self, today: date) -> bool:
        return self.day > today + timedelta(days=21)


def mentions(folded: str, original: str, today: date, language: str | None = None) -> list[Mention]:
    """The future times a folded text names, in order."""
    found: list[tuple[int, int, date]] = []
    for match in DATE.finditer(original):
        day = to_date(match, today)
        if day is not None and today < day <= today + HORIZON and _plausible(match.group()):
            found.append((match.start(), match.end(), day))
    covered = [(s, e) for s, e, _ in found]
    for match in re.finditer(r"\b[a-z]+\b", folded):
        month = MONTH.get(match.group())
        if month is None or _inside(match.start(), covered):
            continue
        if match.group() in AMBIGUOUS and not _month_context(folded, match, language):
            continue
        found.append((match.start(), match.end(), _month_day(folded, match, today, month)))
    resolvers: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], date]], ...] = (
        (AFTER_SEASON, lambda m: _next(today, 9, 1)),
        (HOLIDAYS, lambda m: _next(today, 1, 8)),
        (EASTER, lambda m: _easter_after(today, m.group())),
        (QUARTER, lambda m: _quarter(today, m)),
        (RELATIVE, lambda m: _relative(today, m)),
        (HALF_YEAR, lambda m: _add_months(today, 6)),
        (SCHOOL_YEAR, lambda m: _next(today, 9, 1)),
        (NEXT_YEAR, lambda m: _next_year(today, m)),
    )
    for pattern, resolve in resolvers:
        for match in pattern.finditer(folded):
            if not _inside(match.start(), covered):
                found.append((match.start(), match.end(), resolve(match)))
    for match in re.finditer(r"\b[a-z]+\b", folded):
        season = SEASONS.get(match.group())
        if season and not _inside(match.start(), [(s, e) for s, e, _ in found]):
            found.append((match.start(), match.end(), _next(today, *season)))
    found.sort()
    generic = {s for s, e, _ in found if NEXT_YEAR.fullmatch(folded[s:e]) or SEASONS.get(folded[s:e])}
    found = [
        (s, e, day)
        for s, e, day in found  # "in Q2 next year", "in oktober van volgend jaar": one time
        if not (s in generic and any(e0 <= s <= e0 + 15 for s0, e0, _ in found if s0 != s))
    ]
    return [
        Mention(s, e, day, bool(UNTIL.search(folded[max(0, s - 30) : s])), _again(folded, s, e), s not in generic)
        for s, e, day in found
    ]


def near_times(folded: str) -> bool:
    """A weekday, "next week", "tomorrow": a time to meet soon."""
    return WEEKDAY.search(folded) is not None


def until_of(folded: str, original: str, today: date, language: str | None = None) -> date | None:
    """The day a "not now" reply means: the far time asked for, scored by a wish to be
    contacted again around it, against an end of absence ("until"); later ones win ties."""
    candidates = [m for m in mentions(folded, original, today, language) if m.far(today) and m.day <= today + HORIZON]
    if not candidates:
        return None
    best = max(enumerate(candidates), key=lambda im: (3 * im[1].again - 2 * im[1].until + im[1].specific, im[0]))[1]
    return best.day


def _plausible(text: str) -> bool:
    """A bare "1.5" or "3/4" is often not a date; a day with a month name or a full date is."""
    return not re.fullmatch(r"\d{1,2}[./]\d{1,2}", text) or int(re.split(r"[./]", text)[1]) <= 12


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= position < e for s, e in spans)


def _month_context(folded: str, match: re.Match[str], language: str | None) -> bool:
    word = match.group()
    if word == "mai" and language == "it":
        return False
    before, after = folded[max(0, match.start() - 20) : match.start()], folded[match.end() : match.end() + 6]
    return bool(re.search(r"\d\W{0,2}$", before) or re.match(r"\W{0,2}\d", after) or PREPOSITION.search(before))


def _month_day(folded: str, match: re.Match[str], today: date, month: int) -> date:
    before = folded[max(0, match.start() - 12) : match.start()]
    day = 15 if re.search(r"(?:mid|mitte|mi|mediados de|meta|half|polowie|meados de|meio de)\W{0,3}$", before) else 1
    year = re.match(r"\W{0,3}(20\d\d)", folded[match.end() : match.end() + 8])
    if year:
        return date(int(year.group(1)), month, day)
    return _next(today, month, day)


def _again(folded: str, start: int, end: int) -> bool:
    left = max(folded.rfind(c, 0, start) for c in ".!?\n")
    right = min([i for i in (folded.find(c, end) for c in ".!?\n") if i >= 0] or [len(folded)])
    sentence = folded[left + 1 : right + 1]
    if AGAIN.search(sentence):
        return True
    stop = min([i for i in (folded.find(c, right + 1) for c in ".!?\n") if i >= 0] or [len(folded)])
    following = folded[right + 1 : stop]  # "... until February. Please contact me again then."
    return bool(
        re.search(r"\b(?:then|dann|alors|a ce moment|entonces|allora|dan|wtedy|entao|nessa altura)\b", following)
        and AGAIN.search(following)
    )


def _next(today: date, month: int, day: int) -> date:
    candidate = date(today.year, month, day)
    return candidate if candidate > today else date(today.year + 1, month, day)


def _next_year(today: date, match: re.Match[str]) -> date:
    return date(today.year + 1, 1, 15)


def _quarter(today: date, match: re.Match[str]) -> date:
    number = int(match.group(1) or match.group(2) or ORDINAL.get(match.group(3), 1))
    return _next(today, 3 * number - 2, 1)


def _relative(today: date, match: re.Match[str]) -> date:
    word = match.group(3) if match.group(3) in NUMBER or (match.group(3) or "").isdigit() else match.group(2)
    count = min(float(word[:6]), 104.0) if word.isdigit() else NUMBER.get(word.strip(), 2)  # no date beyond two years
    unit = match.group(4)
    if unit.startswith(("week", "woch", "sem", "sett", "wek", "tyg")) and "mes" not in unit:
        return today + timedelta(weeks=count)
    return _add_months(today, count)


def _add_months(today: date, count: float) -> date:
    whole = int(count)
    month = today.month - 1 + whole
    year, month = today.year + month // 12, month % 12 + 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) + timedelta(days=round((count - whole) * 30))


def _easter_after(today: date, text: str) -> date:
    easter = _easter(today.year) if _easter(today.year) > today else _easter(today.year + 1)
    return easter + timedelta(days=8) if not re.match(r"(?:until|bis|jusqu|hasta|fino|tot|do|ate)", text) else easter


def _easter(year: int) -> date:
    """Easter Sunday (the Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the computus's own names
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    return date(year, month, (h + l - 7 * m + 114) % 31 + 1)
