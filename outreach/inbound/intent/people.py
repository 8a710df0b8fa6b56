"""Who a reply names: the person a hand-over points to, as people write them in the eight
languages ("meine Kollegin Sabine Hoffmann", "ma collègue Mme Leroy", "la mia collega
dott.ssa Bianchi", "mi compañera Ana Ruiz", "moja koleżanka Pani Nowak"), with the
salutation the words give (female, male or none) and never the word for colleague or the
title as part of the name. Polish names in a declined form (after "Panem", "Pani ...skiej")
are given back in the nominative where the ending says so reliably."""

from __future__ import annotations

import re
from dataclasses import dataclass

from outreach.inbound.intent.text import fold

UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚĞĪŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŹŻŽ"
LOWER = "a-zß-öø-ÿāăąćčďđēęěğīłńňōőœřśşšţťūůűźżž"
NAME_WORD = rf"[{UPPER}][{LOWER}'’-]+(?:-[{UPPER}][{LOWER}]+)?"
PARTICLE = r"(?:van der|van den|van de|van|von|de la|de|del|della|di|da|dos|das|du|le|la|ten|ter|De|Di|Da|Van|Le|La)"
NAME = re.compile(rf"{NAME_WORD}(?:\s+(?:{PARTICLE}\s+)?{NAME_WORD}){{0,3}}")

# Titles before a name, and the salutation each gives (None: says nothing of it).
TITLES = {
    "mr": "male",
    "mister": "male",
    "mrs": "female",
    "ms": "female",
    "miss": "female",
    "dr": None,
    "prof": None,
    "herr": "male",
    "herrn": "male",
    "frau": "female",
    "m": "male",
    "monsieur": "male",
    "mme": "female",
    "madame": "female",
    "mlle": "female",
    "mademoiselle": "female",
    "sr": "male",
    "señor": "male",
    "sra": "female",
    "señora": "female",
    "srta": "female",
    "dña": "female",
    "doña": "female",
    "don": "male",
    "dra": "female",
    "lic": None,
    "ing": None,
    "inż": None,
    "mgr": None,
    "sig": "male",
    "signor": "male",
    "sig.ra": "female",
    "signora": "female",
    "dott": "male",
    "dott.ssa": "female",
    "dottoressa": "female",
    "prof.ssa": "female",
    "professoressa": "female",
    "ing.": None,
    "dhr": "male",
    "de heer": "male",
    "heer": "male",
    "meneer": "male",
    "mijnheer": "male",
    "mevr": "female",
    "mevrouw": "female",
    "juffrouw": "female",
    "pan": "male",
    "pana": "male",
    "panu": "male",
    "panem": "male",
    "pani": "female",
    "panią": "female",
    "senhor": "male",
    "senhora": "female",
    "eng": None,
    "engª": "female",
    "d": None,
}
FOLDED_TITLES = {fold(title): title for title in TITLES}
BY_LANGUAGE = {
    "pt": {"d": "female", "dr": "male", "dra": "female"},
    "es": {"d": "male", "dr": "male"},
    "it": {"dr": "male"},
}
TITLE = re.compile(
    r"(?<![\w.])(?:" + "|".join(sorted((re.escape(t) for t in TITLES), key=len, reverse=True)) + r")\.?(?=\s)",
    re.IGNORECASE,
)
# Words for a colleague (or a relative who took over), and the salutation they give.
COLLEAGUE = {
    "colleague": None,
    "successor": None,
    "son": "male",
    "daughter": "female",
    "kollegin": "female",
    "kollege": "male",
    "kollegen": "male",
    "nachfolgerin": "female",
    "nachfolger": "male",
    "sohn": "male",
    "tochter": "female",
    "ma collègue": "female",
    "mon collègue": "male",
    "notre collègue": None,
    "collègue": None,
    "successeur": "male",
    "fils": "male",
    "fille": "female",
    "compañera": "female",
    "compañero": "male",
    "colega": None,
    "sustituto": "male",
    "sustituta": "female",
    "hijo": "male",
    "hija": "female",
    "la mia collega": "female",
    "il mio collega": "male",
    "mia collega": "female",
    "mio collega": "male",
    "nostra collega": "female",
    "nostro collega": "male",
    "collega": None,
    "figlio": "male",
    "figlia": "female",
    "zoon": "male",
    "dochter": "female",
    "opvolger": None,
    "koleżanka": "female",
    "koleżance": "female",
    "koleżanki": "female",
    "koleżanką": "female",
    "kolega": "male",
    "koledze": "male",
    "kolegą": "male",
    "syn": "male",
    "córka": "female",
    "minha colega": "female",
    "meu colega": "male",
    "filho": "male",
    "filha": "female",
}
COLLEAGUE_WORD = re.compile(
    r"(?<!\w)(?:" + "|".join(sorted((re.escape(w) for w in COLLEAGUE), key=len, reverse=True)) + r")(?!\w)",
    re.IGNORECASE,
)
# Role nouns and articles that tell the salutation ("notre coordinatrice", "la nostra responsabile").
FEMALE_WORDS = re.compile(
    r"\b(?:\w+leiterin|\w+partnerin|\w+referentin|\w+beauftragte|\w+in,|coordinatrice|interlocutrice|directrice|"
    r"responsable formation|chargée|coordinadora|interlocutora|directora|jefa|técnica|responsable de formación|"
    r"la nostra|nostra responsabile|la referente|la nuova|la responsabile|la dott|projectmedewerkster|"
    r"coördinatrice|koordynatork\w+|kierowniczk\w+|specjalistk\w+|koordynatork\w+|a nossa|coordenadora|"
    r"diretora|chefe de secção)\b",
    re.IGNORECASE,
)
MALE_WORDS = re.compile(
    r"\b(?:\w+leiter|sachbearbeiter|coordinateur|interlocuteur|directeur|chargé|coordinador|director|jefe|técnico|"
    r"il nostro|il responsabile|il capo|il direttore|il dott|coordinator|directeur|koordynator\w*|kierownik\w*|"
    r"prezes\w*|o nosso|coordenador|diretor|gerente|o dr|o sr)\b",
    re.IGNORECASE,
)
PRONOUNS = {  # language: (male, female)
    "en": (r"he|him|his|he's", r"she|her|she's"),
    "de": (r"er|ihn|ihm|der (?:macht|ist|kümmert|betreut|hat|weiß)", r"die (?:macht|kümmert|betreut|weiß)"),
    "fr": (r"il|c'est lui|-le|c lui", r"elle|c'est elle|-la|la joindre"),
    "es": (r"él|el que|escríbale a él|contactarlo", r"ella|la que|contactarla"),
    "it": (r"lui|gli|chiamarlo|scrivergli", r"lei|chiamarla|scriverle|l'ho messa"),
    "nl": (r"hij|hem|zijn", r"zij|haar"),
    "pl": (r"on|niego|nim|jego|mu|jemu", r"ona|nią|niej|jej|ją"),
    "pt": (r"ele|dele|o senhor", r"ela|dela|a senhora|a pus"),
}
PRONOUN = {
    language: {
        gender: re.compile(rf"(?<![\w'])(?:{words})(?![\w'])")
        for gender, words in zip(("male", "female"), pair, strict=True)
    }
    for language, pair in PRONOUNS.items()
}
GREETING = re.compile(
    r"^\s*(?:dear|hi|hello|hey|hallo|hey|guten tag|sehr geehrte\w*|liebe\w*|grüezi|servus|moin|"
    r"bonjour|madame|monsieur|salut|cher|chère|hola|estimad\w+|buen\w+ d[ií]as?|buongiorno|"
    r"gentile\w*|"
    r"egregi\w+|ciao|geachte|beste|dag|hoi|goede\w+|goeie\w+|dzień dobry|szanown\w+|cześć|witam|"
    r"bom dia|boa tarde|caro|cara|olá|exm\w+)\b",
    re.IGNORECASE,
)
HANDOVER = re.compile(
    r"(?:contact|write to|speak to|talk to|ask for|reach|address|right person|best person|person you need|lead|"
    r"in charge|"
    r"responsible|handles|looks after|passed|forward|copied|successor|wenden|zuständig|ansprechpartner\w*|frag|"
    r"sprechen|schreiben|kümmert|betreut|weitergeleitet|contacter|contactez|écrire|adresser|voir avec|"
    r"voyez avec|vois avec|"
    r"interlocut\w+|responsable|s'occupe|gère|demande|transmis|escrib\w+|contact\w+|hable|habla|pregunta|lleva|encarga|"
    r"responsable|persona|rivolg\w+|scriv\w+|contatt\w+|occupa|segue|chieda|giusta|referente|inoltrat\w+|"
    r"contact|mail|terecht|verwijs|doorgestuurd|vraag|juiste|contactpersoon|wenden|kontakt\w*|pisać|napisać|zajmuje|"
    r"właściw\w+|przekaza\w+|osob\w+|contacte|escrev\w+|fale|falar|pessoa|trata|reencaminhei|dirija|pergunte|indic\w+)",
    re.IGNORECASE,
)
# The one who is no longer there ("Frau Weber ist nicht mehr bei uns, ihre Nachfolgerin ist ...").
GONE = re.compile(
    r"(?:has left|left the company|retired|is no longer|nicht mehr|ausgeschieden|im ruhestand|"
    r"a quitté|n'est plus|ya no (?:está|trabaja)|se ha jubilado|se jubiló|non (?:lavora|è) più|"
    r"in pensione|niet meer|met pensioen|już nie|odszedł|odeszła|na emeryturze|já não|saiu da empresa|"
    r"reformou)",
    re.IGNORECASE,
)
SIGN_OFF = re.compile(
    r"\W*(?:(?:kind|best|warm|many)?\s*(?:regards|wishes)|cheers|thanks|best|"
    r"(?:mit )?(?:freundlichen|besten|herzlichen|viele|liebe|beste)\s+gr(?:ü|u)(?:ß|ss)e\w*|"
    r"gru(?:ß|ss)|"
    r"cordialement|bien à vous|salutations|saludos|un saludo|atentamente|cordiali saluti|saluti|"
    r"distinti saluti|(?:met )?vriendelijke groet\w*|groet\w*|pozdrawiam|z poważaniem|"
    r"cumprimentos|atenciosamente|abraço)\b[\s,.!-]*",
    re.IGNORECASE,
)
IMPERATIVE = re.compile(
    r"(?:speak|ask|call|ring|email|mail|write|contact|see|try|sprechen|fragen|rufen|ruf|schreib\w*|"
    r"wende\w*|voyez|vois|appelez|demandez|ecrivez|écrivez|hable|habla|llame|pregunte|escriba|"
    r"senta|sentite|chiami|parli|chieda|scriva|bel|vraag|mail|spreek|zadzwoń|zapytaj|napisz|"
    r"fale|ligue|pergunte|escreva|contacte)",
    re.IGNORECASE,
)
ON_BEHALF = re.compile(
    r"(?:replying for|answering for|on behalf of|reply for|antworte (?:ihnen )?für|im auftrag von|"
    r"réponds pour|de la part de|en nombre de|contesto en nombre de|per conto|rispondo per|namens|"
    r"antwoord (?:u )?namens|w imieniu|em nome de|respondo em nome de)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
NOT_NAMES = {
    fold(w)
    for w in (  # noqa: SIM905 - a word list reads best as words
        "Erasmus HR RH RR HH Teams Zoom Outlook iPhone Android Samsung Galaxy Thanks Thank Please Best Kind Regards "
        "Cheers Hi Hello Dear Yes No Ok Our We I The This That For Monday Tuesday Wednesday Thursday Friday January "
        "February March April May June July August September October November December Christmas Easter Bitte Danke "
        "Vielen Dank Für Wir Ich Sie Ihr Ihre Gruß Grüße Merci Bonjour Nous Je Vous Pour Cordialement Gracias Hola "
        "Nosotros Para Grazie Buongiorno Per Noi Bedankt Voor Wij Ik Dziękuję Dzień Proszę Obrigado Bom Para Nós "
        "Eu Está Es Est Ist Is Il Lo La Le El Het De Die Der Das Ce Ça Questo Esto Dit To Jest Sehr Dr Prof Herr Frau "
        "Mr Mrs Ms Mme Pan Pani Panem Sr Sra Dott Sig Dhr Mevr Wie Kijk Olha Guardi Mit Con Com Met Z Und And Et Y E "
        "En "
        "Q1 Q2 Ltd GmbH SA Srl Lda BV Sp Geachte Goedemiddag Goedemorgen Goeiedag Gentile Gentilissima Estimada "
        "Estimado "
        "Szanowna Szanowny Sehr Caro Cara Olá Ciao Guten Tag Hallo Liebe Lieber Madame Monsieur Salut Servus Grüezi "
        "Also Alvast Sorry Not Nicht Pas Non Nie Não Ja Oui Sí Sì Tak Sim Freundliche Beste Viele Herzliche Kind Warm "
        "Cordiali Distinti Saludos Atentamente Cumprimentos Pozdrawiam Groet Groeten Vriendelijke Hartelijke Bien Un "
        "Prezes Prezesem Prezesa Prezesowi Dyrektor Dyrektorem Dyrektora Kierownik Kierownikiem Burmistrz Doktor "
        "Recursos Humanos Head Manager Team Department Abteilung Service Servizio Servicio Dział Serviço"
    ).split()
}


@dataclass(frozen=True)
class Person:
    name: str
    salutation: str  # female, male or none
    start: int
    end: int
    score: float


def people(text: str, language: str = "en") -> list[Person]:
    """Persons the text names, best first (titled, after a word for colleague, near a
    hand-over, before an address); never the addressee of the greeting line."""
    skip = _greeting_end(text)
    found: list[Person] = []
    for match in NAME.finditer(text):
        if match.start() < skip:
            continue
        words = _trim(match.group().split(), match.start() == 0 or _sentence_start(text[: match.start()]))
        if not words:
            continue
        start = match.start() + match.group().find(words[0])
        name = " ".join(words)
        end = start + len(name)
        before = text[max(0, start - 40) : start]
        particle = re.search(rf"(?<!\w)(?:{PARTICLE})\s+$", before)
        if particle and _title_before(before[: particle.start()]):  # "mevrouw de Vries", "dhr. van der Berg"
            words = [*particle.group().split(), *words]
            start, before = start - len(particle.group()), before[: particle.start()]
            name = " ".join(words)
        title = _title_before(before)
        colleague = _colleague_before(before)
        sentence_start = _sentence_start(before)
        if title is None and colleague is None and (len(words) < 2 or (sentence_start and _common(words[0]))):
            continue
        score = 3.0 * (title is not None) + 2.0 * (colleague is not None) + 0.5 * (len(words) >= 2)
        score -= 2.0 * bool(re.search(r"(?<!\w)(?:of|de|di|del|des|du|der|van|da|do|dos|das|z)\s+$", before))
        score += 1.5 * bool(HANDOVER.search(text[max(0, start - 80) : start]))
        score += 1.0 * bool(HANDOVER.search(text[end : end + 60]))
        score += 2.0 * bool(re.search(r"@", text[end : end + 50]))
        score -= 3.0 * bool(ON_BEHALF.search(text[max(0, start - 60) : start]))
        score -= 3.0 * bool(GONE.search(text[end : end + 60]))
        if _signs_off(text, start):
            continue
        name = _nominative(words, title, colleague)
        found.append(Person(name, _salutation(text, start, end, title, colleague, language), start, end, score))
    return sorted(found, key=lambda p: (-p.score, -p.start))


def _signs_off(text: str, start: int) -> bool:
    """The name stands in a sign-off line ("Kind regards, Helen Price"): the writer's own."""
    line_start = text.rfind("\n", 0, start) + 1
    closing = SIGN_OFF.match(text, line_start)
    return closing is not None and closing.end() >= start - 1 and closing.end() > line_start


def _greeting_end(text: str) -> int:
    """Where the greeting line ends ("Dear Mr Novak,"), or 0."""
    first = re.match(r"\s*([^\n,:!]{0,60})[,:!\n]", text)
    if first and GREETING.match(first.group(1)):
        return first.end()
    return 0


def _sentence_start(before: str) -> bool:
    return re.search(r"(?:^|[.!?:\n]\s*|[-–—]\s*)$", before) is not None


def _trim(words: list[str], sentence_start: bool) -> list[str]:
    """Without titles, words for colleague, greetings; without a verb that starts the sentence."""
    marks = [i for i, w in enumerate(words[:-1]) if fold(w).rstrip(".") in FOLDED_TITLES or COLLEAGUE_WORD.fullmatch(w)]
    if marks:  # "Personalreferentin Frau Nowak": the name follows the title
        words = words[marks[-1] + 1 :]
    while words and (
        fold(words[0]) in NOT_NAMES
        or fold(words[0]).rstrip(".") in FOLDED_TITLES
        or COLLEAGUE_WORD.fullmatch(words[0])
        or re.fullmatch(PARTICLE, words[0])
        or (sentence_start and len(words) > 2 and (HANDOVER.match(words[0]) or IMPERATIVE.fullmatch(words[0])))
    ):
        words = words[1:]
    while words and (fold(words[-1]) in NOT_NAMES or fold(words[-1]).rstrip(".") in FOLDED_TITLES):
        words = words[:-1]
    return words


def _common(word: str) -> bool:
    return fold(word) in NOT_NAMES or len(word) < 3


def _title_before(before: str) -> str | None:
    """The title written just before a name ("Frau", "Mme", "dott.ssa", "Sr. Dr.")."""
    found = re.search(r"((?:[\w.ª]+\.?\s+)?)([\w.ª]+?)\.?\s+$", before)
    if not found:
        return None
    two = re.search(r"(de heer|sig\.ra|dott\.ssa|prof\.ssa)\s+$", before, re.IGNORECASE)
    if two:
        return two.group(1).lower()
    last, previous = found.group(2).lower(), found.group(1).strip().lower().rstrip(".")
    last, previous = FOLDED_TITLES.get(fold(last), last), FOLDED_TITLES.get(fold(previous), previous)
    if last not in TITLES:
        return previous if previous in TITLES and fold(found.group(2)) in NOT_NAMES else None  # "Panem Prezesem"
    if last in ("dr", "prof") and TITLES.get(previous):
        return previous
    return last


def _colleague_before(before: str) -> str | None:
    matches = list(COLLEAGUE_WORD.finditer(before))
    if not matches:
        return None
    found = matches[-1]
    between = before[found.end() :]
    if re.fullmatch(r"[\s,:–—-]*(?:(?:\w+\s+){0,4}[\w.]+[,:–—-]?\s*)?", between) and len(between) < 35:
        return found.group().lower()
    return None


def _salutation(text: str, start: int, end: int, title: str | None, colleague: str | None, language: str) -> str:
    if title:
        key = title.rstrip(".")
        said = BY_LANGUAGE.get(language, {}).get(key, TITLES.get(key))
        if said:
            return said
    said = COLLEAGUE.get(colleague) if colleague else None
    if said:
        return said
    window = text[max(0, start - 120) : start]
    before = re.split(r"[.!?\n]", window)[-1]
    if language == "pt":  # the article before a name: "o Miguel", "a Ana"
        article = re.search(
            r"(?<!\w)(o|do|ao|pelo|a|da|à|pela)\s+(?:(?:sr|sra|dr|dra|"
            r"eng)\.?\s+)?$",
            before,
            re.IGNORECASE,
        )
        if article:
            return "male" if article.group(1).lower() in ("o", "do", "ao", "pelo") else "female"
    female, male = FEMALE_WORDS.search(before), MALE_WORDS.search(before)
    if female and not male:
        return "female"
    if male and not female:
        return "male"
    after = text[end : end + 160].lower()
    votes = {gender: len(pattern.findall(after)) for gender, pattern in PRONOUN.get(language, PRONOUN["en"]).items()}
    if votes["male"] != votes["female"]:
        return "male" if votes["male"] > votes["female"] else "female"
    return "none"


# Polish: oblique forms back to the nominative, only where the title or the ending says the case.
def _nominative(words: list[str], title: str | None, colleague: str | None) -> str:
    marker = (title or colleague or "").lower()
    if marker in ("panem", "kolegą"):  # instrumental, masculine
        words = [
            _masculine(w, ("skim", "ski"), ("ckim", "cki"), ("dzkim", "dzki"), ("iem", ""), ("em", "")) for w in words
        ]
    elif marker in ("panu", "koledze"):  # dative, masculine
        words = [_masculine(w, ("skiemu", "ski"), ("ckiemu", "cki"), ("owi", ""), ("u", "")) for w in words]
    elif marker == "pana":  # genitive/accusative, masculine
        words = [_masculine(w, ("skiego", "ski"), ("ckiego", "cki"), ("a", "")) for w in words]
    elif marker in ("panią", "koleżanką"):  # instrumental/accusative, feminine
        words = [w[:-1] + "a" if w.endswith("ą") else w for w in words]
    elif marker in ("pani", "koleżance", "koleżanki") and words[-1].endswith(("skiej", "ckiej", "dzkiej")):
        words = [_feminine(w) for w in words]  # dative/genitive/locative, feminine
    return " ".join(words)


def _masculine(word: str, *endings: tuple[str, str]) -> str:
    for ending, replacement in endings:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: len(word) - len(ending)]
            if not replacement and re.search(r"[^aeiouyąęó][kł]$", stem):  # Dudka, Marka, Pawła: a fleeting e
                stem = stem[:-1] + "e" + stem[-1]
            return stem + replacement
    return word


def _feminine(word: str) -> str:
    for ending, replacement in (
        ("skiej", "ska"),
        ("ckiej", "cka"),
        ("dzkiej", "dzka"),
        ("nie", "na"),
        ("cie", "ta"),
        ("ie", "a"),
        ("ce", "ka"),
        ("dze", "ga"),
        ("ii", "ia"),
        ("y", "a"),
        ("i", "a"),
    ):
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[: len(word) - len(ending)] + replacement
    return word
