"""What the model reads in a reply besides its words and letters: negation scope ("nicht
interessiert" reads `neg:interessiert`), hedges, times (far, near, an end of absence, a wish
to be contacted again), who is named (a person, an address), questions, and cues shared by
the eight languages (a refusal, a wish to meet, a hand-over, an acknowledgement).

Cues are features, not rules: the model learns how much each counts, and against what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from outreach.inbound.intent.people import people
from outreach.inbound.intent.text import Token, body, fold, tokens
from outreach.inbound.intent.when import ABSENCE, mentions, near_times

NEGATORS = set(  # a word list reads best as words
    "not no never nor cannot without "  # noqa: SIM905
    "nicht kein keine keinen keinem keiner keines nie niemals nichts weder ohne "
    "ne n pas jamais aucun aucune rien ni sans "
    "nunca ningun ninguna ninguno tampoco nada sin "
    "non mai nessun nessuno nessuna niente nulla senza "
    "niet geen nooit niets noch zonder "
    "nie ani nigdy zadne zadnych zaden bez "
    "nao nenhum nenhuma nem sem".split()
)
NO_PROBLEM = re.compile(
    r"\b(?:no problem|not a problem|no worries|kein problem|keine sorge|pas de (?:souci|probleme)|"
    r"sin problema|ningun problema|nessun problema|non c'e problema|geen probleem|"
    r"nie ma problemu|sem problema|nao ha problema|why not|warum nicht|pourquoi pas|por que no|"
    r"perche no|waarom niet|czemu nie|porque nao|por que nao|not only|nicht nur|non seulement|"
    r"no solo|non solo|niet alleen|nie tylko|nao so)\b"
)
BREAK = re.compile(r"[.,;:!?\n()]|\b(?:but|however|aber|jedoch|mais|pero|sino|ma|pero|maar|ale|jednak|mas|porem)\b")
CONTRACTIONS = re.compile(r"\b(\w+)n't\b|\b(do|does|did|is|are|was|were|could|would|should|can|won|have|has)nt\b")
NEGATED_VERB = re.compile(
    r"n't$|^(?:dont|doesnt|didnt|isnt|arent|wasnt|werent|cant|couldnt|wouldnt|wont|havent|"
    r"hasnt)$"
)

CUES = {
    "hedge": r"maybe|perhaps|possibly|might|depends|not sure|vielleicht|eventuell|evtl|moglicherweise|"
    r"kommt (?:drauf|darauf) an|"
    r"peut[- ]etre|eventuellement|ca depend|quizas?|tal vez|a lo mejor|depende|forse|magari|dipende|"
    r"misschien|eventueel|hangt (?:er )?van af|moze|byc moze|zalezy|talvez|se calhar",
    "refuse": r"not interested|no interest|decline|declin\w+|unable to|not able to|not in a position|no capacity|"
    r"not a (?:good )?fit|not for us|won't be taking|pass on|we'll pass|the answer is no|unfortunately|"
    r"kein(?:e|en)? (?:interesse|bedarf|kapazitat\w*|moglichkeit)|absage\w*|sagen ab|leider|nicht in frage|"
    r"nicht weiterzuverfolgen|nicht beteiligen|nicht mit|"
    r"pas interess\w+|pas de suite|malheureusement|decliner|pas pour nous|ne pourrons pas|ne pouvons pas|"
    r"pas en mesure|"
    r"no (?:nos )?interesa|no estamos interesad\w+|lamentablemente|desgraciadamente|no podemos|"
    r"no es para nosotros|"
    r"no nos es posible|declinar|"
    r"non (?:siamo |sono )?interessat\w+|purtroppo|non possiamo|non fa per noi|non ci e possibile|declinare|"
    r"niet geinteresseerd|geen interesse|helaas|niet mogelijk|niets voor ons|geen gevolg|"
    r"nie jestesmy zainteresowan\w+|niestety|nie mozemy|nie jestesmy w stanie|nic dla nas|"
    r"nao (?:temos|tenho) interesse|infelizmente|nao podemos|nao conseguimos|nao e para nos|lamento",
    "meet": r"call|meet\w*|chat|talk|teams|zoom|slot|diary|calendar|invite|available|free on|works for me|suit\w*|"
    r"termin\w*|gesprach|telefonat|telefonieren|treffen|anrufen|rufen sie|erreichbar|passt|"
    r"rendez-vous|echange|appel\w*|rencontr\w+|disponible|creneau|"
    r"reunion|llamada|llamame|llameme|hablar\w*|hablamos|quedar|disponible|videollamada|"
    r"incontr\w+|chiamat\w+|chiami|sentirci|call|videochiamata|disponibil\w+|"
    r"afspraak|gesprek|bellen|bel me|afspreken|beschikbaar|langskomen|"
    r"spotkani\w*|rozmow\w+|zadzwon\w*|dzwonic|umow\w+|porozmawia\w*|termin|"
    r"reuniao|chamada|ligue|ligar|conversa\w*|falar|disponivel",
    "yes": r"yes|sure|happy to|glad to|gladly|keen|interested|love to|sounds good|great idea|count us in|up for|"
    r"ja|gerne|gern|interessiert|klingt gut|einverstanden|"
    r"oui|volontiers|avec plaisir|interess\w+|ravi\w*|partant\w*|d'accord|"
    r"si|claro|con gusto|encantad\w+|nos interesa|me interesa|de acuerdo|"
    r"volentieri|con piacere|ci interessa|d'accordo|lieti|"
    r"graag|geinteresseerd|prima|akkoord|leuk|"
    r"tak|chetnie|zainteresowan\w+|z przyjemnoscia|"
    r"sim|com (?:todo o )?gosto|claro|interessad\w+|de acordo|"
    r"count (?:me|us) in|we're in|wir sind dabei|bin dabei|partants?|on en est|contad con nosotros|"
    r"cuente con nosotros|ci stiamo|contate su di noi|we doen mee|doe mee|wchodzimy w to|na tak|"
    r"contem connosco|conte connosco|alinhamos",
    "when": r"when|what time|which day|wann|welcher tag|quand|quel jour|cuando|que dia|quando|che giorno|wanneer|"
    r"welke dag|kiedy|ktory dzien|que dia|what suits|schikt|pasuje|arrange|passt es|dá jeito|da jeito|"
    r"va bene|os va bien|le viene bien",
    "handover": r"colleague|right person|best person|person you need|in charge|responsible|handles|looks after|"
    r"speak to|contact (?:my|our|mr|mrs|ms|dr)|write to|ask for|passed (?:it )?(?:on )?to|"
    r"kolleg\w+|zustandig\w*|ansprechpartner\w*|wenden sie sich|wend dich|kummert sich|"
    r"frag (?:am besten|in)|"
    r"collegue|bonne personne|responsable|interlocut\w+|s'occupe|gere|voyez avec|adressez|"
    r"la personne a contacter|"
    r"companer\w+|colega|la persona|encarga|lleva|hable con|habla con|pregunta por|"
    r"collega|persona giusta|referente|si occupa|segue|si rivolga|chieda di|contatti|"
    r"collega|juiste persoon|verantwoordelijke|contactpersoon|regelt|terecht bij|contact op met|"
    r"vraag (?:even )?naar|"
    r"kolezank\w+|kolega|wlasciw\w+ osob\w+|zajmuje sie|odpowiedzialn\w+|osoba kontaktowa|prosze pisac do|"
    r"colega|pessoa (?:indicada|certa)|trata|responsavel|contacte|pergunte por|quem (?:trata|cuida)",
    "onbehalf": r"on behalf of|replying for|answering for|asked me to|i'm (?:his|her) (?:pa|assistant)|"
    r"secretary|assistant|"
    r"im auftrag|antworte (?:ihnen )?fur|sekretariat|assistenz|"
    r"de la part de|reponds pour|secretaire|assistante|"
    r"en nombre de|contesto en nombre|secretaria|"
    r"per conto|rispondo per|segretaria|"
    r"namens|antwoord voor|secretaresse|"
    r"w imieniu|sekretark\w+|"
    r"em nome de|respondo em nome|secretaria",
    "ack": r"received|noted|got this|will (?:read|look|have a look|check|discuss)|pass (?:it|this) on|get back to you|"
    r"erhalten|zur kenntnis|weitergeleitet|gebe das|melde mich|schaue? (?:ich|es)|"
    r"bien recu|bien note|transmis|je reviens vers vous|je regarde|"
    r"recibido|tomo nota|le aviso|te aviso|lo miro|reenviado|"
    r"ricevuto|preso nota|le faccio sapere|vi faccio sapere|inoltrat\w+|giro|"
    r"ontvangen|genoteerd|doorgestuurd|laat (?:het )?(?:u |je )?weten|kom ik (?:bij u )?terug|"
    r"otrzyma\w+|przekaz\w+|dam znac|dotarlo|"
    r"recebido|tomei nota|reencaminh\w+|dou noticias|depois digo|"
    r"discuss (?:it|this) with|check with|speak to (?:the|my) boss|bespreken das|besprechen|mit dem chef|"
    r"en discuter\w*|en parler avec|lo comentaremos|checarlo|lo hablo con|ne parlo con|ne discutiamo|"
    r"bespreek het|overleg\w*|porozmawiam z|omowimy|vou falar com|vamos discutir|ainda vou ver|"
    r"take it to|bring it to|nehme das mit|soumets|lo llevo al|lo porto al|neem het mee|przedstawie|vou levar|"
    r"when i'm back|when i am back|wenn ich zuruck bin|nach meiner ruckkehr|a mon retour|a la vuelta|"
    r"cuando vuelva|al rientro|appena rientro|als ik terug ben|na mijn terugkeer|po powrocie|jak wroce|"
    r"quando voltar|quando regressar|no regresso",
    "urgent": r"urgent\w*|dringend\w*|urgence|urgencias?|urgenze|urgente|dringende|pilnych|pilne|assuntos urgentes",
    "not_me": r"not the right person|not me|wrong person|not my area|nicht ich|der falsche|die falsche|nicht zustandig|"
    r"pas moi|ce n'est pas moi|pas la bonne personne|no soy (?:yo )?la persona|yo no|no lo llevo yo|"
    r"non sono io|non mi occupo|niet de juiste|niet ik|ligt niet bij mij|nie jestem wlasciw\w+|"
    r"nie zajmuje sie|nie nalezy do mnie|nao sou (?:eu )?a pessoa|nao trato|nao sou eu",
    "later": r"not (?:right )?now|not at the moment|not this year|later|next year|get back to (?:us|me)|try again|"
    r"ask (?:me|us) again|contact (?:me|us) again|in touch again|revisit|"
    r"nicht mehr|nachstes jahr|spater|wieder|nochmal|noch einmal|erneut|"
    r"pas maintenant|pas cette annee|plus tard|annee prochaine|revenez|recontact\w*|relance\w*|"
    r"ahora no|este ano (?:ya )?no|mas adelante|ano que viene|proximo ano|vuelva|vuelve|de nuevo|"
    r"non adesso|per ora no|quest'anno no|piu avanti|anno prossimo|ricontatt\w*|risentiamoci|riscriv\w+|"
    r"nu niet|dit jaar niet|later|volgend jaar|opnieuw|nog eens|"
    r"nie teraz|w tym roku (?:juz )?nie|pozniej|w przyszlym roku|ponown\w+|odezw\w+|"
    r"agora nao|este ano (?:ja )?nao|mais tarde|proximo ano|novamente|voltamos a falar|volte a",
}
CUE_PATTERNS = {name: re.compile(rf"\b(?:{pattern})\b") for name, pattern in CUES.items()}
ADDRESS = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Herr|Herrn|Frau|M|Mme|Madame|Monsieur|Sr|Sra|D|Dña|Dña|Don|Doña|sig|"
    r"sig\.ra|"
    r"dott|dott\.ssa|ing|dhr|mevr|mevrouw|meneer|mijnheer|heer|Pan|Pani|Panem|Panu|Pani[aą]?|"
    r"Dra|Eng|Prof)\.?\s+[A-ZÀ-ÖØ-ÞŁŚŻŹĆ][\w'-]+"
)
PHONE = re.compile(r"(?:\+?\d[\d ()/.-]{6,}\d)")


@dataclass(frozen=True)
class Prepared:
    """A reply made ready for the vectorizers."""

    text: str  # the body (sign-off cut)
    folded: str  # the same, folded (same length)
    tokens: tuple[Token, ...]
    signals: tuple[str, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(t.text for t in self.tokens)


def prepare(text: str, language: str, today: date) -> Prepared:
    kept = body(text)
    folded = fold(kept)
    expanded = CONTRACTIONS.sub(lambda m: f"{m.group(1) or m.group(2)} not", folded)
    found = tokens(folded)
    return Prepared(kept, folded, tuple(found), tuple(signals(kept, folded, expanded, found, language, today)))


def word_features(prepared: Prepared) -> list[str]:
    """Unigrams, bigrams, negated words and the signals: the word stream of the model."""
    words = prepared.words
    return [*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False)), *prepared.signals]


def char_text(prepared: Prepared) -> str:
    return ADDRESS.sub(" @ ", prepared.folded)


def is_negator(word: str) -> bool:
    return word in NEGATORS or NEGATED_VERB.search(word) is not None


def negated(folded: str, found: list[Token]) -> list[str]:
    """`neg:word` for each word in a negation's scope: up to four words after it, up to a
    comma, a full stop or a "but"; "no problem", "why not" are not negations."""
    out: list[str] = []
    spared = [(m.start(), m.end()) for m in NO_PROBLEM.finditer(folded)]
    for index, token in enumerate(found):
        if not is_negator(token.text) or any(s <= token.start < e for s, e in spared):
            continue
        for follower in found[index + 1 : index + 5]:
            if BREAK.search(folded[token.end : follower.start]) or is_negator(follower.text):
                break
            out.append(f"neg:{follower.text}")
    if spared:
        out.append("_no_problem")
    return out


def signals(kept: str, folded: str, expanded: str, found: list[Token], language: str, today: date) -> list[str]:
    out = [f"_lang_{language}", *negated(folded, found)]
    for name, pattern in CUE_PATTERNS.items():
        hits = len(pattern.findall(expanded))
        if hits:
            out += [f"_cue_{name}"] * min(hits, 3)
    times = mentions(folded, kept, today, language)
    far = [m for m in times if m.far(today)]
    if far:
        out.append("_time_far")
    if any(m.again for m in far):
        out.append("_time_far_again")
    if any(m.until for m in times):
        out.append("_time_until")
    if times and not far:
        out.append("_time_near_only")
    weekday = near_times(folded)
    clock = re.search(r"\b\d{1,2}(?:[:.h]\d{2}|\s?(?:am|pm|uhr|h)\b)", folded) is not None
    if weekday:
        out.append("_time_weekday")
    if clock:
        out.append("_clock")
    absence = ABSENCE.search(folded)
    if absence:
        out.append("_absence")
        if any(m.until for m in times):
            out.append("_absence_until")
    if ADDRESS.search(kept):
        out.append("_address")
    named = [p for p in people(kept, language) if p.score >= 3]
    if named:
        out.append("_person_named")
        if named[0].score >= 4.5:
            out.append("_person_handed_over")
    if re.match(r"\W*(?:no|nein|non|nee|nie|nao)\b", expanded):
        out.append("_starts_no")
    if re.match(r"\W*(?:yes|ja|oui|si|tak|sim|ok|okay)\b", expanded):
        out.append("_starts_yes")
    if re.search(
        r"\b(?:from|vom|von|du|del|dal|van|od|de)\s+(?:the\s+)?[\d.]+\w*\s*(?:\w+\s+)?"
        r"(?:until|to|till|bis|au|al|tot|t\.e\.m\.|do|a)\s",
        folded,
    ):
        out.append("_range")
    if TITLE.search(kept):
        out.append("_titled_person")
    if PHONE.search(kept):
        out.append("_phone")
    questions = kept.count("?") + kept.count("¿")
    if questions:
        out.append("_question")
        out += ["_questions"] if questions > 1 else []
        if kept.rstrip().endswith("?"):
            out.append("_ends_with_question")
        if not weekday and not clock:
            out.append("_question_without_time")
    size = len(found)
    out.append("_short" if size < 8 else "_long" if size > 70 else "_medium")
    return out
