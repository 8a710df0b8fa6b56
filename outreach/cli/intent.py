"""`outreach intent ...`: train the reply reader again on the shipped replies plus the
school's own decisions, and measure how well it reads replies."""

from __future__ import annotations

from pathlib import Path

import typer

from outreach.cli.common import console, logbook, print_json, state
from outreach.errors import InvalidInput, Problem

app = typer.Typer(help="The reply reader: retrain it, measure it.", no_args_is_help=True)


def model_cache() -> Path | None:
    """Where the trained reply model is kept between processes: a folder beside the SQLite
    logbook, when there is one (a server database keeps none; each process trains)."""
    from sqlalchemy.engine import make_url

    from outreach.db.engine import database_url

    url = make_url(database_url(state.database))
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    logbook_file = Path(url.database)
    return logbook_file.resolve().parent / "reply-model" if logbook_file.is_file() else None


@app.command("retrain")
def retrain(json_: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Train the reply reader on the shipped labelled replies plus the school's own decisions
    (from the logbook; they never leave it). Prints what it was trained on and how long it took."""
    from outreach.inbound.intent import train
    from outreach.services.inbound.labels import school_labels

    with logbook() as uow:
        extra = school_labels(uow.session)
    cache = model_cache()
    reader = train(extra, cache=cache, fresh=True)
    data = {
        "replies": reader.size,
        "school_labels": len(extra),
        "fingerprint": reader.trained_on,
        "seconds": round(reader.seconds, 2),
        "kept_in": str(cache) if cache else None,
    }
    if json_:
        print_json(data)
        return
    console.print(
        f"Trained on {reader.size} replies ({len(extra)} of them the school's own decisions) "
        f"in {reader.seconds:.1f} s; data fingerprint {reader.trained_on}" + (f"; kept in {cache}." if cache else "."),
        markup=False,
    )


@app.command("evaluate")
def evaluate(
    folds: int = typer.Option(5, "--folds", min=2, max=20, help="Folds of the stratified cross-validation."),
    heldout: Path = typer.Option(
        None, "--heldout", help="A folder of held-out labelled replies (*.yaml), never trained on."
    ),
    verbose: bool = typer.Option(False, "--verbose", help="List every reply read wrong."),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Cross-validated accuracy of the reply reader (stratified k-fold over the shipped set) per
    language and per intent, a confusion matrix, every refusal or "later" read as interested and
    whether the product would have acted on it; with --heldout, the same on a held-out set (its
    text, and its HTML-only messages as the product extracts them)."""
    from outreach.inbound.intent import train_on
    from outreach.inbound.intent.evaluation import cross_validate, held_out
    from outreach.inbound.intent.labels import load, shipped

    replies = shipped()
    reports = [cross_validate(replies, folds)]
    if heldout is not None:
        files = sorted(heldout.glob("*.yaml")) if heldout.is_dir() else []
        if not files:
            raise InvalidInput([Problem(str(heldout), None, "--heldout", "no *.yaml files of labelled replies there")])
        reports += held_out(train_on(replies), [r for path in files for r in load(path)])
    if json_:
        print_json([_as_json(report) for report in reports])
        return
    for report in reports:
        for line in report.lines(verbose):
            console.print(line, markup=False, highlight=False, soft_wrap=True)


def _as_json(report) -> dict:
    return {
        "name": report.name,
        "replies": report.total,
        "accuracy": round(report.accuracy, 4),
        "per_language": {k: [report.right[k], report.count[k]] for k in report.count if len(k) == 2},
        "per_intent": {k: [report.right[k], report.count[k]] for k in report.count if len(k) > 3 and k != "all"},
        "acted": report.acted,
        "acted_wrong": len(report.acted_wrong),
        "refusal_or_later_read_as_interested": [
            {
                "language": m.reply.language,
                "intent": m.reply.intent,
                "confidence": round(m.intent.confidence, 3),
                "acted": m.intent.acts,
                "text": m.text,
            }
            for m in report.dangerous
        ],
        "confusion": [[want, got, n] for (want, got), n in sorted(report.confusion.items())],
    }
