"""The language of a reply, told cheaply from its common words (one of the eight of the
campaigns), for replies whose language nobody gave."""

from __future__ import annotations

import re

COMMON = {
    "en": "the and you to we for this is are that with our have it be would of not in will thanks thank your please "
    "regards i'm we're can could me my",
    "de": "und die der das ist wir sie nicht mit ich ein eine für uns ihre ihnen bitte danke gruß grüße haben "
    "vielen dank leider gerne auf ja uhr du dir mir ich schau gesehen hab",
    "fr": "le la les et est nous vous pas pour une des que je ne merci avec bonjour cordialement votre notre sur "
    "madame monsieur ce oui ils quel ans qu'ils au",
    "es": "el la los las y es que no por para una con gracias saludos nos le usted su muy estamos hola pero lo "
    "del en qué señora acá recibimos llámame",
    "it": "il la di che è non per un una con grazie saluti ci siamo sono le buongiorno della gentile alla nel "
    "anche ma noi mi ragazzi servono grazie domattina",
    "nl": "de het een en is wij we niet van voor met u uw ik dank groet bedankt zijn op dat graag maar ons "
    "mevrouw me even mijn dank je nee ontvangen",
    "pl": "i w nie na się z do jest to że pozdrawiam dziękuję dzień dobry pani pan jesteśmy proszę za ale "
    "państwa mamy dzięki od nas jako ile",
    "pt": "o a os as e é que não para uma com obrigado cumprimentos nos de bom dia estamos muito mas do da "
    "você obrigada obg recebido somos quando estou na nao lamento",
}
WORDS = {language: set(words.split()) for language, words in COMMON.items()}
LETTERS = {
    language: re.compile(f"[{letters}]" if letters else "(?!)")
    for language, letters in {
        "en": "",
        "de": "ßäöü",
        "fr": "èêàùœ",
        "es": "ñ¿¡",
        "it": "ìò",
        "nl": "",
        "pl": "łżśęąćńź",
        "pt": "ãõ",
    }.items()
}
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def detect(text: str, default: str = "en") -> str:
    """The language whose common words the text uses most (`default` when none)."""
    words = [w.lower() for w in WORD.findall(text[:2000])]
    scores = {
        language: sum(w in common for w in words) + 2 * len(LETTERS[language].findall(text))
        for language, common in WORDS.items()
    }
    best = max(scores, key=lambda language: scores[language])
    return best if scores[best] > 0 else default
