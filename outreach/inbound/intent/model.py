"""The learned part: a linear model (LinearSVC, its scores calibrated to probabilities by
Platt scaling over 3 folds) over word unigrams and bigrams with negation scope and the
signals of `features`, and over character n-grams (2-5, within words). Trained by this
code from labelled text; nothing is loaded from elsewhere. Fitting 800 replies takes about
a second; a process trains once, at first use, and keeps the model in memory.

`explain` gives the phrases of the reply that pushed it to the class it was given: each
word's share of the score (its unigram, bigram, negation and character n-gram weights,
times their values in this reply), gathered into short runs of words as written."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from outreach.inbound.intent.features import Prepared, char_text, word_features
from outreach.inbound.intent.labels import LabelledReply
from outreach.inbound.intent.language import detect

if TYPE_CHECKING:
    import numpy as np

C = 1.0
TODAY = date(2026, 11, 30)  # the shipped replies were written as answers on this day

SIGNAL_NOTES = {
    "_time_far_again": "a later time, with a wish to be contacted again",
    "_time_far": "a time weeks away",
    "_absence": "an absence or a closure",
    "_absence_until": "an absence until a date",
    "_range": "a span of dates",
    "_person_named": "a person named",
    "_person_handed_over": "a person named as the one to write to",
    "_address": "an e-mail address",
    "_question": "a question",
    "_ends_with_question": "ends with a question",
    "_no_problem": '"no problem" (not a refusal)',
    "_starts_no": "starts with no",
    "_starts_yes": "starts with yes",
    "_time_weekday": "a day to meet",
    "_cue_urgent": "an emergency number (a closure notice)",
}


@dataclass(frozen=True)
class Reading:
    kind: str
    probabilities: dict[str, float]


class ReplyModel:
    """scikit-learn is imported when a model is made, not when the package is: a process that
    only names intents does not pay for it."""

    def __init__(self) -> None:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion
        from sklearn.svm import LinearSVC

        self.features = FeatureUnion(
            [
                ("words", TfidfVectorizer(analyzer=word_features, sublinear_tf=True)),
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char_wb", preprocessor=char_text, ngram_range=(2, 5), sublinear_tf=True, min_df=2
                    ),
                ),
            ]
        )
        self.classifier = CalibratedClassifierCV(LinearSVC(C=C), cv=3, method="sigmoid")
        self.classes: list[str] = []
        self.weights: np.ndarray | None = None
        self.size = 0

    def fit(self, prepared: list[Prepared], kinds: list[str]) -> ReplyModel:
        import numpy as np
        from sklearn.exceptions import ConvergenceWarning

        matrix = self.features.fit_transform(prepared)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.classifier.fit(matrix, kinds)
        self.classes = list(self.classifier.classes_)
        self.weights = np.mean([c.estimator.coef_ for c in self.classifier.calibrated_classifiers_], axis=0)
        self.size = len(kinds)
        words, chars = self.features.transformer_list[0][1], self.features.transformer_list[1][1]
        self._word_names = words.get_feature_names_out()
        self._char_index = chars.vocabulary_
        self._offset = len(self._word_names)
        return self

    def read(self, prepared: Prepared) -> tuple[Reading, object]:
        import numpy as np

        row = self.features.transform([prepared])
        probabilities = self.classifier.predict_proba(row)[0]
        best = int(np.argmax(probabilities))
        return Reading(self.classes[best], {k: float(p) for k, p in zip(self.classes, probabilities, strict=True)}), row

    def explain(self, prepared: Prepared, row: Any, kind: str, limit: int = 5) -> list[str]:
        """The phrases (as written) and signals that weighed most for `kind`."""
        import numpy as np

        assert self.weights is not None, "explain() needs a fitted model"
        weights = self.weights[self.classes.index(kind)] if len(self.classes) > 2 else self.weights[0]
        row = row.tocsr()
        contribution = {int(i): float(v) * float(weights[i]) for i, v in zip(row.indices, row.data, strict=True)}
        tokens = prepared.tokens
        score = np.zeros(len(tokens))
        positions: dict[str, list[int]] = {}
        for index, token in enumerate(tokens):
            positions.setdefault(token.text, []).append(index)
        notes: list[tuple[float, str]] = []
        for i, value in contribution.items():
            if i >= self._offset:
                continue
            name = self._word_names[i]
            if name.startswith("_"):
                if name in SIGNAL_NOTES and value > 0:
                    notes.append((value, f"({SIGNAL_NOTES[name]})"))
                continue
            if name.startswith("neg:"):
                for at in positions.get(name[4:], []):
                    score[at] += value / max(1, len(positions[name[4:]]))
                continue
            parts = name.split(" ")
            starts = [
                at
                for at in positions.get(parts[0], [])
                if all(at + k < len(tokens) and tokens[at + k].text == part for k, part in enumerate(parts))
            ]
            for at in starts:
                for k in range(len(parts)):
                    score[at + k] += value / (len(starts) * len(parts))
        holders: dict[str, set[int]] = {}  # character n-grams, shared among the words that hold them
        for index, token in enumerate(tokens):
            padded = f" {token.text} "
            for size in range(2, 6):
                for start in range(len(padded) - size + 1):
                    holders.setdefault(padded[start : start + size], set()).add(index)
        for gram, held in holders.items():
            at = self._char_index.get(gram)
            if at is not None and at + self._offset in contribution:
                for index in held:
                    score[index] += contribution[at + self._offset] / len(held)
        phrases = _phrases(prepared, score)
        ranked = sorted(phrases + notes, key=lambda item: -item[0])
        return [text for value, text in ranked[:limit] if value > 0]


def _phrases(prepared: Prepared, score: np.ndarray) -> list[tuple[float, str]]:
    """Runs of up to four neighbouring words whose share is high, as written in the reply."""
    import numpy as np

    tokens = prepared.tokens
    if not len(tokens):
        return []
    cut = max(0.0, float(np.quantile(score, 0.8)))
    out: list[tuple[float, str]] = []
    used: set[int] = set()
    for index in np.argsort(-score):
        if score[index] <= cut or index in used:
            continue
        left = right = int(index)
        while (
            left - 1 >= 0
            and left - 1 not in used
            and score[left - 1] > cut / 2
            and right - left < 3
            and _same_clause(prepared, left - 1, left)
        ):
            left -= 1
        while (
            right + 1 < len(tokens)
            and right + 1 not in used
            and score[right + 1] > cut / 2
            and right - left < 3
            and _same_clause(prepared, right, right + 1)
        ):
            right += 1
        used.update(range(left, right + 1))
        text = " ".join(prepared.text[tokens[left].start : tokens[right].end].split())
        out.append((float(score[left : right + 1].sum()), f'"{text}"'))
    return out


def _same_clause(prepared: Prepared, a: int, b: int) -> bool:
    between = prepared.text[prepared.tokens[a].end : prepared.tokens[b].start]
    return re.search(r"[.,;:!?\n()]", between) is None


def language_of(reply: LabelledReply) -> str:
    return reply.language or detect(reply.text)
