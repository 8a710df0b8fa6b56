"""The workspace's pages: Today, Pipeline, Partner, Campaigns, Reports, and the forms that act
on them. Each handler reads the request, calls a service in a worker thread, and renders."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from outreach.domain.places import city as place_city
from outreach.domain.vocabulary import Phase
from outreach.errors import InvalidInput, NotFound, Problem
from outreach.messages.render import renderer_for
from outreach.services.accounts import audit
from outreach.services.accounts.users import Role
from outreach.services.meetings import booking
from outreach.services.meetings import invitations as meetings
from outreach.services.outbound import campaign_control, campaigns, partner_work
from outreach.services.partners import todos
from outreach.services.workspace import pages as reads
from outreach.settings.campaigns import settings_of
from outreach.web.handlers import (
    CAMPAIGN_FILE,
    audit_request,
    back,
    client_address,
    page,
    render,
    role_of,
    too_large,
    who,
)

log = logging.getLogger("outreach.web")


def _work(request: Request):
    return request.app.state.workspace


async def _run(request: Request, job):
    """`job(uow, now)` in a worker thread on a unit of work; committed when it returns."""
    ws = _work(request)

    def run():
        with ws.uow() as uow:
            result = job(uow, ws.now())
            uow.commit()
            return result

    return await run_in_threadpool(run)


async def _read(request: Request, job):
    ws = _work(request)

    def run():
        with ws.uow() as uow:
            return job(uow, ws.now())

    return await run_in_threadpool(run)


# --- Today ---------------------------------------------------------------------------------


@page()
async def today(request: Request) -> Response:
    def job(uow, now):
        data = reads.today(uow.session, now)
        return render(request, "today.html", today=data, now=now, said=request.query_params.get("said"))

    return await _read(request, job)


@page(change=True)
async def todo_done(request: Request, form) -> Response:
    reason = str(form.get("reason") or "").strip()
    if not reason:
        raise InvalidInput([Problem("to-do", None, "reason", "say what was done, or why it is dismissed")])
    todo_id = int(request.path_params["todo_id"])
    await _run(request, lambda uow, now: todos.close(uow.session, todo_id, reason, now, who(request)))
    return back(str(form.get("back") or "/"), "to-do closed")


@page(change=True)
async def todo_decide(request: Request, form) -> Response:
    """A person's decision on a reply the product was not sure of (a review item on Today):
    done as the automatic path would; "answer" then opens the one-off mail for the partner."""
    from outreach.services.inbound.review import Decision, decide

    todo_id = int(request.path_params["todo_id"])
    until = str(form.get("until") or "").strip()
    try:
        day = date.fromisoformat(until) if until else None
    except ValueError:
        raise InvalidInput([Problem("decision", None, "until", "choose the day to write again")]) from None
    decision = Decision(
        str(form.get("intent") or ""), day, str(form.get("referral") or "") or None, str(form.get("name") or "") or None
    )
    ws = _work(request)

    def run():
        from worker.dispatch import dispatch

        with ws.uow() as uow:
            outcome = decide(uow, todo_id, decision, ws.now(), who(request))
        dispatch(ws.app, outcome.events)
        return outcome

    outcome = await run_in_threadpool(run)
    partner_id = outcome.partner_id
    said = f"{outcome.partner}: {outcome.said}"
    if decision.intent.strip().lower() in ("question", "answer"):
        return RedirectResponse(
            f"/partners/{partner_id}?said={quote(said + ': write your answer below')}#mail", status_code=303
        )
    return back(str(form.get("back") or "/"), said)


@page(change=True)
async def todo_counter(request: Request, form) -> Response:
    """A partner's counter-proposal decided from its to-do on Today: accepted (the meeting
    moves, they get the update) or declined (they are told the original time stands)."""
    from outreach.services.meetings import counters

    todo_id = int(request.path_params["todo_id"])
    decision = counters.decision_of(str(form.get("decision") or ""))
    decided = await _run(request, lambda uow, now: counters.decide(uow, todo_id, decision, who(request), now))
    return back(str(form.get("back") or "/"), decided.said)


# --- Pipeline ------------------------------------------------------------------------------


@page()
async def pipeline(request: Request) -> Response:
    filters = reads.Filters.of(request.query_params)
    paging = reads.Paging.of(request.query_params)

    def job(uow, now):
        try:
            columns = reads.pipeline(uow.session, filters, paging)
        except ValueError as error:  # an unknown source in the address
            raise InvalidInput([Problem("filter", None, "source", str(error))]) from None
        return render(
            request,
            "pipeline.html",
            columns=columns,
            filters=filters,
            choices=reads.filter_choices(uow.session),
            filtered=_filter_query(request),
        )

    return await _read(request, job)


def _filter_query(request: Request) -> str:
    """The address's filters, for the links that page a column (`&`-joined, without the page)."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k in reads.Filters.__dataclass_fields__ and v]
    return urlencode(kept)


def _page_number(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("page") or 1), 100_000))
    except ValueError:
        return 1


# --- Partner -------------------------------------------------------------------------------


def _partner(uow, request: Request):
    from outreach.db.models import Partner

    partner = uow.session.get(Partner, int(request.path_params["partner_id"]))
    if partner is None:
        raise NotFound(f"no partner {request.path_params['partner_id']}")
    return partner


@page()
async def partner(request: Request) -> Response:
    def job(uow, now):
        found = _partner(uow, request)
        held = reads.meetings_of(uow.session, found.id)
        return render(
            request,
            "partner.html",
            partner=found,
            timeline=reads.partner_timeline(uow.session, found),
            steps=partner_work.scheduled(uow.session, found.id),
            phases=list(Phase),
            meetings=held,
            said=request.query_params.get("said"),
            outcomes={m.id: meetings.outcome_of(uow.session, m.id) for m in held},
            types=reads.filter_choices(uow.session)["partnership_types"],
            kpis=kpi_rows(uow.session, found.id),
            offer=_offer(uow.session, found, now) if _may_change(request) and not held else None,
            booking_links=booking.links_of(uow.session, found.id, now) if _may_change(request) else [],
            templates=["follow_up", "later", "next_steps", "check_in", "introduction", "closing"],
        )

    return await _read(request, job)


def _may_change(request: Request) -> bool:
    current = role_of(request)
    return current is not None and current.may_change


def _offer(session, partner, now) -> dict | None:
    """The slots the invite form offers: in our hours and the partner's where they are; or why
    there is none (the nearest options, for a person to agree one)."""
    try:
        row = partner_work.campaign_of(session, partner)
    except NotFound:
        return None
    settings = settings_of(row)
    theirs = meetings.their_hours(partner, settings)
    offer = {
        "slots": meetings.offered(session, partner, row, now),
        "their_zone": theirs.zone,
        "their_city": place_city(theirs.zone, "en"),
        "hours": f"{theirs.start:%H:%M}-{theirs.end:%H:%M}",
        "problem": None,
    }
    if not offer["slots"]:
        offer["problem"] = meetings.why_no_slot(session, settings, now, theirs)
    return offer


def kpi_rows(session, partner_id: int) -> list[dict]:
    from outreach.services.partners import kpis

    return [
        {
            "name": k.name,
            "current": k.current,
            "target": k.target,
            "unit": k.unit,
            "due": k.due,
            "progress": kpis.progress(k),
            "by": k.updated_by,
        }
        for k in kpis.of(session, partner_id)
    ]


def _partner_action(action, said: str):
    """A form on the partner page: run `action(uow, partner, form, now, by)`, then back to it."""

    @page(change=True)
    async def handler(request: Request, form) -> Response:
        partner_id = int(request.path_params["partner_id"])
        await _run(request, lambda uow, now: action(uow, _partner(uow, request), form, now, who(request)))
        return back(f"/partners/{partner_id}", said)

    return handler


def _note(uow, partner, form, now, by):
    partner_work.add_note(uow.session, partner, str(form.get("text") or ""), by, now)


def _move(uow, partner, form, now, by):
    try:
        target = Phase(str(form.get("phase")))
    except ValueError:
        raise InvalidInput([Problem("move", None, "phase", "choose one of the guide's five phases")]) from None
    partner_work.move(uow.session, partner, target, str(form.get("reason") or ""), by, now)
    from outreach.services.meetings import collaboration as lifecycle

    try:
        row = partner_work.campaign_of(uow.session, partner)
    except NotFound:
        row = None
    for meeting in lifecycle.phase_changed(uow.session, partner, target, row, now, []):
        uow.commit()
        meetings.deliver(uow, meeting, now)


def _mail(uow, partner, form, now, by):
    from outreach.db.models import Contact

    contact = uow.session.get(Contact, int(form.get("contact") or 0)) if form.get("contact") else None
    template = str(form.get("template") or "") or None
    partner_work.one_off_mail(
        uow.session,
        partner,
        by,
        now,
        contact,
        template,
        str(form.get("subject") or "") or None,
        str(form.get("text") or "") or None,
    )


def _contact(uow, partner, form, now, by):
    from outreach.db.models import Contact

    contact_id = form.get("contact_id")
    contact = uow.session.get(Contact, int(contact_id)) if contact_id else None
    if contact is not None and contact.partner_id != partner.id:
        raise NotFound("no such contact at this partner")
    partner_work.save_contact(uow.session, partner, {k: str(v) for k, v in form.items()}, contact, by, now)


def _meeting(uow, partner, form, now, by):
    row = partner_work.campaign_of(uow.session, partner)
    settings = settings_of(row)
    at = str(form.get("at") or "").strip() or str(form.get("slot") or "").strip()
    if at:
        start = _when(at, meetings.zone_of(settings))
    else:
        start = meetings.next_slot(uow.session, settings, now, theirs=meetings.their_hours(partner, settings))
    meeting = meetings.invite(uow.session, partner, row, start)
    meetings.deliver(uow, meeting, now)


def _when(text: str, zone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput([Problem("meeting", None, "at", "write a date and time, e.g. 2027-03-09T10:00")]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


def _meeting_change(uow, partner, form, now, by):
    meeting = _meeting_of_partner(uow, partner, form)
    if form.get("cancel"):
        meetings.cancel(meeting)
    else:
        meetings.reschedule(meeting, _when(str(form.get("at") or ""), meeting.timezone))
    meetings.deliver(uow, meeting, now)


def _outcome(uow, partner, form, now, by):
    """The meeting's outcome from the form: one takeaway per line, one action per line as
    "what | owner | YYYY-MM-DD", contact persons separated by commas."""
    from pydantic import ValidationError

    from outreach.domain.outcome import Outcome
    from outreach.domain.problems import field_path, message_for

    meeting = _meeting_of_partner(uow, partner, form)
    lines = lambda name: [line.strip() for line in str(form.get(name) or "").splitlines() if line.strip()]
    actions = []
    for line in lines("actions"):
        what, _, rest = line.partition("|")
        owner, _, due = rest.partition("|")
        actions.append({"what": what.strip(), "owner": owner.strip() or "both", "due": due.strip() or None})
    try:
        recorded = Outcome(
            takeaways=lines("takeaways"),
            actions=actions,
            contacts={"ours": _commas(form.get("ours")), "theirs": _commas(form.get("theirs"))},
            partnership_types=form.getlist("partnership_types"),
            notes=str(form.get("notes") or "") or None,
        )
    except ValidationError as error:
        raise InvalidInput(
            [Problem("outcome", None, field_path(e["loc"]), message_for(e)) for e in error.errors()]
        ) from None
    meetings.record_outcome(uow.session, meeting, recorded, by, now)


def _commas(value) -> list[str]:
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def _approve(uow, partner, form, now, by):
    meetings.approve_next_steps(uow.session, _meeting_of_partner(uow, partner, form), by, now)


def _meeting_of_partner(uow, partner, form):
    meeting = meetings.find(uow.session, int(form.get("meeting") or 0))
    if meeting.partner_id != partner.id:
        raise NotFound("no such meeting for this partner")
    return meeting


def _kpi(uow, partner, form, now, by):
    """A KPI added (name, target, unit, due) or updated (name, value)."""
    from outreach.services.partners import kpis

    name = str(form.get("name") or "")
    try:
        if form.get("target"):
            due = str(form.get("due") or "").strip()
            kpis.add(
                uow.session,
                partner,
                name,
                float(form.get("target")),
                str(form.get("unit") or ""),
                date.fromisoformat(due) if due else None,
                by,
                now,
            )
        else:
            kpis.update(uow.session, partner, name, float(form.get("value")), by, now)
    except (TypeError, ValueError):
        raise InvalidInput(
            [Problem("kpi", None, "value", "write numbers for the target and the value, and the date as YYYY-MM-DD")]
        ) from None


def _result(uow, partner, form, now, by):
    from outreach.services.partners import partnerships

    partnerships.log_result(uow.session, partner, str(form.get("text") or ""), by, now, bool(form.get("opportunity")))


@page(change=True)
async def forget_person(request: Request, form) -> Response:
    """Right to erasure from the partner page: the person's rows, mentions and raw mail go."""
    from outreach.domain.suppression import email_hash
    from outreach.services.partners.erasure import forget

    email = str(form.get("email") or "").strip().lower()

    def job(uow, now):
        partner = _partner(uow, request)
        if email not in {c.email for c in partner.contacts}:
            raise InvalidInput([Problem("forget", None, "email", "choose one of this partner's contacts")])
        result = forget(uow.session, email)
        audit.record(
            uow.session,
            actor=who(request),
            action="erasure",
            subject=f"contact {email_hash(email)[:16]}",
            source=client_address(request),
            detail=f"a contact of {partner.name}",
            now=now,
        )
        return partner.id, result.raw_files

    partner_id, raw_files = await _run(request, job)
    for path in raw_files:  # as `outreach partners forget` does: the raw mail about them goes too
        Path(path).unlink(missing_ok=True)
    return back(f"/partners/{partner_id}", "person forgotten")


def _step_action(action, said: str):
    @page(change=True)
    async def handler(request: Request, form) -> Response:
        step_id = int(request.path_params["step_id"])
        partner_id = await _run(request, lambda uow, now: action(uow.session, step_id, who(request), now).partner_id)
        return back(str(form.get("back") or f"/partners/{partner_id}"), said)

    return handler


# --- Campaigns -----------------------------------------------------------------------------


@page()
async def campaigns_page(request: Request) -> Response:
    def job(uow, now):
        return render(
            request,
            "campaigns.html",
            campaigns=reads.campaign_pages(uow.session, now),
            said=request.query_params.get("said"),
            problems=None,
        )

    return await _read(request, job)


def _campaign_action(action, said: str):
    @page(change=True)
    async def handler(request: Request, form) -> Response:
        name = request.path_params["name"]
        await _run(request, lambda uow, now: action(uow.session, name, now, form, who(request)))
        log.info("campaign %s %s by %s", name, said, who(request))  # who did it, in the service's log
        return back("/campaigns", said)

    return handler


@page()
async def preview(request: Request) -> Response:
    """A step's message as its recipient will see it: text and HTML."""
    from outreach.db.models import Step
    from outreach.services.outbound.sending import message_for_step

    def job(uow, now):
        step = uow.session.get(Step, int(request.path_params["step_id"]))
        if step is None:
            raise NotFound("no such message")
        settings = settings_of(step.campaign)
        message, rendered = message_for_step(step, settings, renderer_for(settings), now)
        if not _may_change(request):  # a booking link acts for the partner: not shown to a reader
            rendered = replace(
                rendered, text=booking.hide_tokens(rendered.text), html=booking.hide_tokens(rendered.html)
            )
        return render(request, "preview.html", step=step, message=message, rendered=rendered)

    return await _read(request, job)


@page(change=True, files=1)
async def queue_campaign(request: Request, form) -> Response:
    """A campaign file uploaded and queued, with the same line-numbered errors as the CLI.
    The file was counted while it arrived (BODY_LIMITS); it is checked against its own limit
    here. It may only name a registered mailbox, and nothing the server would run or read for it
    (no secret source, no command, no file on this server)."""
    from outreach.campaign import load_campaign
    from outreach.campaign.uploaded import Origin

    upload = form.get("file")
    if upload is None or not getattr(upload, "filename", ""):
        raise InvalidInput([Problem("queue", None, "file", "choose a campaign file (YAML)")])
    if upload.size is None or upload.size > CAMPAIGN_FILE:
        return too_large(request.scope, CAMPAIGN_FILE)
    content = await upload.read(CAMPAIGN_FILE + 1)
    name = Path(upload.filename).name or "campaign.yaml"

    def job(uow, now):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            try:
                loaded = load_campaign(path, uploaded=True)
                summary = campaigns.queue(uow.session, loaded, renderer_for(loaded.settings), now, origin=Origin.WEB)
            except InvalidInput as error:
                uow.session.rollback()
                return None, [str(p).replace(folder + "/", "") for p in error.problems]
            audit.record(
                uow.session,
                actor=who(request),
                action="campaign.upload",
                subject=loaded.settings.name,
                source=client_address(request),
                now=now,
                detail=f"{name}: {summary.scheduled} first-contact emails scheduled",
            )
            return summary, None

    summary, problems = await _run(request, job)
    if problems:
        await run_in_threadpool(audit_request, request, "campaign.refused", name, f"{len(problems)} problems")

        def show(uow, now):
            return render(
                request,
                "campaigns.html",
                400,
                campaigns=reads.campaign_pages(uow.session, now),
                problems=problems,
                said=None,
            )

        return await _read(request, show)
    return back("/campaigns", f"queued: {summary.scheduled} first-contact emails scheduled")


# --- Mailboxes -----------------------------------------------------------------------------


@page()
async def mailboxes_page(request: Request) -> Response:
    """The registered mailboxes: names and health for everyone; servers, login, campaigns and
    the login test for the administrator. Never a secret, nor where one comes from."""
    from outreach.services.accounts import mailboxes as registry

    administrator = role_of(request) is Role.ADMIN

    def job(uow, now):
        return render(
            request,
            "mailboxes.html",
            mailboxes=registry.shown(uow.session, administrator),
            administrator=administrator,
            said=request.query_params.get("said"),
            failed=request.query_params.get("failed") if administrator else None,
        )

    return await _read(request, job)


async def _test_mailbox(request: Request, form) -> Response:
    from outreach.services.accounts import mailboxes as registry

    address = str(form.get("address") or "").strip()
    ws = _work(request)
    ok, _ = await run_in_threadpool(registry.test, ws.uow, address, ws.now)
    log.info("mailbox %s tested by %s: %s", address, who(request), "ok" if ok else "failed")
    await run_in_threadpool(audit_request, request, "mailbox tested", address, "ok" if ok else "failed")
    if not ok:
        return RedirectResponse(f"/mailboxes?failed={quote(address)}", status_code=303)
    return back("/mailboxes", f"{address}: both logins work")


# --- Reports -------------------------------------------------------------------------------


@page()
async def reports(request: Request) -> Response:
    from outreach.services.workspace import reports as data

    def job(uow, now):
        return render(request, "reports.html", report=data.overview(uow.session, now, _page_number(request)))

    return await _read(request, job)


@page()
async def download(request: Request) -> Response:
    from outreach.services.workspace import reports as data

    kind = request.path_params["kind"]
    if kind not in ("xlsx", "csv"):
        raise NotFound("no such download")

    def job(uow, now):
        rows = data.manager_rows(uow.session)
        return data.as_xlsx(rows) if kind == "xlsx" else data.as_csv(rows)

    body = await _read(request, job)
    await run_in_threadpool(audit_request, request, "export", f"partners.{kind}", f"{len(body)} bytes")
    media = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if kind == "xlsx"
        else "text/csv; charset=utf-8"
    )
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="partners.{kind}"'})


@page()
async def matrix_picture(request: Request) -> Response:
    """The stakeholder matrix as an SVG image (its own styles; shown by the Reports page)."""
    from outreach.services.workspace import matrix

    def job(uow, now):
        return matrix.draw(matrix.placed(uow.session)[0], "svg")

    return Response(await _read(request, job), media_type="image/svg+xml")


@page()
async def inbound_message(request: Request) -> Response:
    """The whole message a to-do or a timeline entry is about."""
    from outreach.services.inbound import inbox

    def job(uow, now):
        shown = inbox.readable(uow.session, int(request.path_params["inbound_id"]))
        return render(request, "message.html", shown=shown)

    return await _read(request, job)


def routes() -> list[Route]:
    def hold(session, step_id, by, now):
        return partner_work.hold_step(session, step_id, by)

    def resume(session, step_id, by, now):
        return partner_work.resume_step(session, step_id, by, now)

    def skip(session, step_id, by, now):
        return partner_work.skip_step(session, step_id, by)

    return [
        Route("/", today),
        Route("/todos/{todo_id:int}/done", todo_done, methods=["POST"]),
        Route("/todos/{todo_id:int}/decide", todo_decide, methods=["POST"]),
        Route("/todos/{todo_id:int}/counter", todo_counter, methods=["POST"]),
        Route("/pipeline", pipeline),
        Route("/partners/{partner_id:int}", partner),
        Route("/partners/{partner_id:int}/note", _partner_action(_note, "note added"), methods=["POST"]),
        Route("/partners/{partner_id:int}/move", _partner_action(_move, "phase changed"), methods=["POST"]),
        Route(
            "/partners/{partner_id:int}/mail",
            _partner_action(_mail, "mail queued: it goes out with the next sending round"),
            methods=["POST"],
        ),
        Route("/partners/{partner_id:int}/contact", _partner_action(_contact, "contact saved"), methods=["POST"]),
        Route("/partners/{partner_id:int}/meeting", _partner_action(_meeting, "invitation sent"), methods=["POST"]),
        Route(
            "/partners/{partner_id:int}/meeting/change",
            _partner_action(_meeting_change, "meeting updated"),
            methods=["POST"],
        ),
        Route(
            "/partners/{partner_id:int}/meeting/outcome",
            _partner_action(_outcome, "outcome recorded"),
            methods=["POST"],
        ),
        Route(
            "/partners/{partner_id:int}/meeting/approve",
            _partner_action(_approve, "next-steps mail approved"),
            methods=["POST"],
        ),
        Route("/partners/{partner_id:int}/kpi", _partner_action(_kpi, "KPI saved"), methods=["POST"]),
        Route("/partners/{partner_id:int}/result", _partner_action(_result, "result logged"), methods=["POST"]),
        Route("/partners/{partner_id:int}/forget", forget_person, methods=["POST"]),
        Route("/steps/{step_id:int}/hold", _step_action(hold, "held"), methods=["POST"]),
        Route("/steps/{step_id:int}/resume", _step_action(resume, "resumed"), methods=["POST"]),
        Route("/steps/{step_id:int}/skip", _step_action(skip, "skipped"), methods=["POST"]),
        Route("/steps/{step_id:int}/preview", preview),
        Route("/campaigns", campaigns_page),
        Route("/campaigns/queue", queue_campaign, methods=["POST"]),
        Route(
            "/campaigns/{name}/pause",
            _campaign_action(lambda s, name, now, form, by: campaign_control.pause(s, name, now), "paused"),
            methods=["POST"],
        ),
        Route(
            "/campaigns/{name}/resume",
            _campaign_action(lambda s, name, now, form, by: campaign_control.resume(s, name), "resumed"),
            methods=["POST"],
        ),
        Route(
            "/campaigns/{name}/cancel",
            _campaign_action(
                lambda s, name, now, form, by: campaign_control.cancel(s, name, _reason(form, by)), "cancelled"
            ),
            methods=["POST"],
        ),
        Route("/mailboxes", mailboxes_page),
        Route("/mailboxes/test", page(change=True, role=Role.ADMIN)(_test_mailbox), methods=["POST"]),
        Route("/reports", reports),
        Route("/reports/partners.{kind}", download),
        Route("/reports/matrix.svg", matrix_picture),
        Route("/inbound/{inbound_id:int}", inbound_message),
    ]


def _reason(form, by: str) -> str:
    reason = str(form.get("reason") or "").strip()
    if not reason:
        raise InvalidInput([Problem("cancel", None, "reason", "say why the campaign is cancelled")])
    return f"{reason} ({by})"
