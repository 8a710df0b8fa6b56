"""`outreach inbound ...`: look at inbound mail the way the watcher does; list and retry
messages that could not be processed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from outreach.cli.common import add_row, console, logbook, print_json, printed_without_table, state
from outreach.cli.intent import model_cache
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.inbound.authresults import authentication_of
from outreach.inbound.classify import InboundKind, classify
from outreach.inbound.intent import intent_of, use
from outreach.inbound.message import InboundMessage
from outreach.inbound.reply import split_reply
from outreach.services.inbound import inbox

app = typer.Typer(
    help="Inbound mail: classify messages as the watcher does; list and retry failures.", no_args_is_help=True
)


@app.command("classify")
def classify_files(
    files: list[Path] = typer.Argument(..., help="Messages as .eml files."),
    json_: bool = typer.Option(False, "--json", help="Print a JSON array, one object per file."),
    authserv_id: list[str] = typer.Option(
        None,
        "--authserv-id",
        help="Your receiving server's authserv-id: also say whether the "
        "Authentication-Results it wrote prove the sender.",
    ),
) -> None:
    """What the watcher would make of each file: its kind (reply, auto_reply, bounce, delayed,
    complaint, opt_out, calendar_reply, receipt, other), a bounce's reason, a reply's intent
    (interested, question, not_now with until, not_interested, referral with the colleague's
    address and name, unclear) with its confidence, whether the product would act on it
    without a person (acts) and the phrases that decided (evidence), and the new text it
    would log. With --authserv-id: whether the sender is proved (DMARC, DKIM, SPF)."""
    missing = [Problem(str(f), None, "(file)", "no such file") for f in files if not f.is_file()]
    if missing:
        raise InvalidInput(missing)
    use(cache=model_cache())
    results: list[dict[str, Any]] = []
    said: list[str] = []
    for path in files:
        message = InboundMessage.parse(path.read_bytes())
        result, parts = classify(message), split_reply(message)
        text = parts.logged_text
        is_reply = result.kind is InboundKind.REPLY
        intent = intent_of(parts.new_text, date.today(), message.sender).as_json() if is_reply else {}
        proof = authentication_of(message, authserv_id) if authserv_id else None
        results.append(
            {
                "file": str(path),
                **result.as_json(),
                **intent,
                **({"authentication": proof.as_json()} if proof else {}),
                "text": text,
            }
        )
        said.append(f"sender {'proved' if proof.proved else 'not proved'}: {proof.describe()}" if proof else "")
    if json_:
        print_json(results)
        return
    table = Table("file", "kind", "details")
    for row, sender in zip(results, said, strict=True):
        details = ", ".join(f"{k}={v}" for k, v in row.items() if k not in ("file", "kind", "text", "authentication"))
        add_row(table, row["file"], row["kind"], "; ".join(x for x in (details, sender) if x))
    console.print(table)


@app.command("failed")
def failed(json_: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Inbound messages that could not be processed: kept, with the error."""
    from outreach.services.workspace.times import local, zone_for

    with logbook() as uow:
        rows = [
            {
                "id": r.id,
                "mailbox": r.mailbox,
                "folder": r.folder,
                "uid": r.uid,
                "message_id": r.message_id,
                "received_at": r.received_at.isoformat(),
                "attempts": r.attempts,
                "error": r.error,
            }
            for r in inbox.failed(uow.session)
        ]
        zone = zone_for(uow.session)
    if printed_without_table(rows, json_, "No inbound message has failed."):
        return
    table = Table("id", "mailbox", "uid", f"received ({zone})", "attempts", "error")
    for r in rows:
        add_row(
            table,
            str(r["id"]),
            r["mailbox"],
            str(r["uid"]),
            local(r["received_at"], zone),
            str(r["attempts"]),
            r["error"] or "",
        )
    console.print(table)
    console.print("After a fix: `outreach inbound retry ID` or `outreach inbound retry --all`.")


@app.command("retry")
def retry(
    ids: list[int] = typer.Argument(None, help="Ids from `outreach inbound failed`."),
    all_: bool = typer.Option(False, "--all", help="Every failed message."),
) -> None:
    """Process failed messages again, now, in this process (the same code as the worker)."""
    if not ids and not all_:
        raise InvalidInput([Problem("(command line)", None, "ID", "name the messages to retry, or use --all")])
    from worker.app import App

    app = App(database_url=state.database)
    try:
        with app.uow() as uow:
            reset = inbox.reset_for_retry(uow, None if all_ else list(ids))
        if not reset:
            raise NotFound("no failed inbound message with that id; `outreach inbound failed` lists them")
        for inbound_id in reset:
            outcome = app.process_inbound(inbound_id)
            console.print(
                f"inbound {inbound_id}: {outcome.status} {outcome.kind or ''} {outcome.partner or ''}", markup=False
            )
        still = sum(1 for i in reset if _status(app, i) == "failed")
    finally:
        app.close()
    if still:
        raise typer.Exit(1)


def _status(app, inbound_id: int) -> str:
    from outreach.db.models import InboundMail

    with app.uow() as uow:
        return uow.session.get(InboundMail, inbound_id).status
