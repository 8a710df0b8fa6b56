"""`outreach replies ...`: the replies the product was not sure of, put before a person, and
a person's decision on one (the same as the buttons on the Today page)."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table

from outreach.cli.common import actor_name, add_row, console, logbook, printed_without_table, state
from outreach.errors import InvalidInput, Problem

app = typer.Typer(help="Replies put before a person: list them, decide what each means.", no_args_is_help=True)


@app.command("review")
def review(json_: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The replies waiting for a decision, oldest first: who wrote, how the reader read them
    (and how sure it was), and their new text."""
    from outreach.services.inbound import review as reviews

    with logbook() as uow:
        rows = [item.as_json() for item in reviews.items(uow.session)]
    if printed_without_table(rows, json_, "No reply waits for a decision."):
        return
    table = Table("id", "since", "partner", "from", "read as", "their words")
    for r in rows:
        read = f"{r['read_as'].replace('_', ' ')} ({r['confidence']:.0%})"
        add_row(table, str(r["id"]), r["since"][:16], r["partner"] or "", r["sender"] or "", read, r["text"][:300])
    console.print(table)
    console.print(
        "Decide: `outreach replies decide ID interested|question|not_now --until YYYY-MM-DD|"
        "not_interested|referral --referral EMAIL [--name NAME]|not_a_reply`",
        markup=False,
    )


@app.command("decide")
def decide(
    review_id: int = typer.Argument(..., metavar="ID", help="The id from `outreach replies review`."),
    intent: str = typer.Argument(
        ...,
        metavar="INTENT",
        help="interested (invite to the meeting), question (answer them), not_now "
        "(with --until), not_interested, referral (with --referral), not_a_reply.",
    ),
    until: str = typer.Option(None, "--until", help="not_now: the day to write again, YYYY-MM-DD."),
    referral: str = typer.Option(None, "--referral", help="referral: the colleague's email address."),
    name: str = typer.Option(None, "--name", help="referral: the colleague's name."),
) -> None:
    """Say what a reply means. It is done exactly as if the product had read it so (an
    invitation, a "later" mail on the day, a closing, a warm introduction, ...), and kept as
    a label the reply reader learns from (`outreach intent retrain`)."""
    from outreach.services.inbound.review import Decision
    from outreach.services.inbound.review import decide as decide_reply
    from worker.app import App
    from worker.dispatch import dispatch

    day = None
    if until:
        try:
            day = datetime.strptime(until.strip(), "%Y-%m-%d").date()
        except ValueError:
            raise InvalidInput([Problem("(command line)", None, "--until", "write the day as YYYY-MM-DD")]) from None
    app_ = App(database_url=state.database)
    try:
        with app_.uow() as uow:
            outcome = decide_reply(uow, review_id, Decision(intent, day, referral, name), app_.now(), actor_name())
        dispatch(app_, outcome.events)
    finally:
        app_.close()
    console.print(f"review item {review_id} ({outcome.partner}): {outcome.said}", markup=False)
