"""The booking page (no login): a partner's contact opens their link, sees free slots for the
first exploration meeting in their own time and language, and picks one; a second pick moves
it. Works without JavaScript and by keyboard. The link's token is the only key."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from outreach.domain.language import base
from outreach.errors import NotFound, OutreachError
from outreach.services.meetings import booking
from outreach.services.meetings import invitations as meetings
from outreach.web.handlers import Workspace, audit_request, csrf_ok, render

log = logging.getLogger("outreach.web")

# The page's words, in the partner's language (the mail that carries the link is in it too).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Choose a time for our first meeting",
        "intro": "{institution} invites {partner} to a first exploration meeting of {minutes} minutes. "
        "Pick the time that suits you: the times are in {city} time.",
        "pick": "Free times",
        "book": "Book this time",
        "move": "Move the meeting to this time",
        "booked": "Your meeting: {when} ({city} time). The calendar invitation is in your mailbox.",
        "moved": "Done: the meeting is now on {when} ({city} time). The updated invitation is in your mailbox.",
        "done": "Booked: {when} ({city} time). The calendar invitation with the agenda is in your mailbox.",
        "none": "No free time is left in the coming weeks. Please answer our mail and we will find one.",
        "taken": "That time is no longer free: please pick another.",
        "expired": "This link has expired. Please answer our mail and we will find a time.",
        "unknown": "This link is not known. Please use the link from our mail.",
        "failed": "The invitation could not be sent just now; we have been told and will send it shortly.",
    },
    "de": {
        "title": "Wählen Sie einen Termin für unser erstes Gespräch",
        "intro": "{institution} lädt {partner} zu einem ersten Sondierungsgespräch von {minutes} Minuten ein. "
        "Wählen Sie den Termin, der Ihnen passt: Die Zeiten sind Ortszeit {city}.",
        "pick": "Freie Termine",
        "book": "Diesen Termin buchen",
        "move": "Das Gespräch auf diesen Termin verschieben",
        "booked": "Ihr Termin: {when} (Ortszeit {city}). Die Kalendereinladung ist in Ihrem Postfach.",
        "moved": "Erledigt: Das Gespräch findet nun am {when} statt (Ortszeit {city}). "
        "Die geänderte Einladung ist in Ihrem Postfach.",
        "done": "Gebucht: {when} (Ortszeit {city}). Die Kalendereinladung mit der Tagesordnung ist in Ihrem Postfach.",
        "none": "In den nächsten Wochen ist kein Termin mehr frei. Antworten Sie bitte auf unsere Nachricht, "
        "dann finden wir einen.",
        "taken": "Dieser Termin ist nicht mehr frei: Bitte wählen Sie einen anderen.",
        "expired": "Dieser Link ist abgelaufen. Antworten Sie bitte auf unsere Nachricht, dann finden wir einen Termin.",
        "unknown": "Dieser Link ist nicht bekannt. Bitte verwenden Sie den Link aus unserer Nachricht.",
        "failed": "Die Einladung konnte gerade nicht gesendet werden; wir sind informiert und senden sie in Kürze.",
    },
    "fr": {
        "title": "Choisissez un créneau pour notre première réunion",
        "intro": "{institution} invite {partner} à une première réunion exploratoire de {minutes} minutes. "
        "Choisissez le créneau qui vous convient : les horaires sont à l'heure {de_city}.",
        "pick": "Créneaux libres",
        "book": "Réserver ce créneau",
        "move": "Déplacer la réunion à ce créneau",
        "booked": "Votre réunion : {when} (heure {de_city}). L'invitation se trouve dans votre boîte de réception.",
        "moved": "C'est fait : la réunion aura lieu le {when} (heure {de_city}). "
        "L'invitation mise à jour se trouve dans votre boîte de réception.",
        "done": "Réservé : {when} (heure {de_city}). L'invitation avec l'ordre du jour se trouve dans votre boîte "
        "de réception.",
        "none": "Aucun créneau n'est libre dans les semaines à venir. Répondez simplement à notre message et nous "
        "en trouverons un.",
        "taken": "Ce créneau n'est plus libre : merci d'en choisir un autre.",
        "expired": "Ce lien a expiré. Répondez simplement à notre message et nous trouverons un créneau.",
        "unknown": "Ce lien est inconnu. Merci d'utiliser le lien de notre message.",
        "failed": "L'invitation n'a pas pu être envoyée pour l'instant ; nous sommes prévenus et l'enverrons sous peu.",
    },
    "es": {
        "title": "Elija un horario para nuestra primera reunión",
        "intro": "{institution} invita a {partner} a una primera reunión exploratoria de {minutes} minutos. "
        "Elija el horario que le convenga: las horas son hora de {city}.",
        "pick": "Horarios libres",
        "book": "Reservar este horario",
        "move": "Cambiar la reunión a este horario",
        "booked": "Su reunión: {when} (hora de {city}). La invitación está en su buzón.",
        "moved": "Hecho: la reunión será el {when} (hora de {city}). La invitación actualizada está en su buzón.",
        "done": "Reservado: {when} (hora de {city}). La invitación con el orden del día está en su buzón.",
        "none": "No quedan horarios libres en las próximas semanas. Responda a nuestro mensaje y buscaremos uno.",
        "taken": "Ese horario ya no está libre: elija otro, por favor.",
        "expired": "Este enlace ha caducado. Responda a nuestro mensaje y buscaremos un horario.",
        "unknown": "Este enlace no existe. Utilice el enlace de nuestro mensaje, por favor.",
        "failed": "No se ha podido enviar la invitación en este momento; estamos avisados y la enviaremos en breve.",
    },
    "it": {
        "title": "Scelga un orario per il nostro primo incontro",
        "intro": "{institution} invita {partner} a un primo incontro esplorativo di {minutes} minuti. "
        "Scelga l'orario che preferisce: gli orari sono nell'ora di {city}.",
        "pick": "Orari liberi",
        "book": "Prenota questo orario",
        "move": "Sposta l'incontro a questo orario",
        "booked": "Il Suo incontro: {when} (ora di {city}). L'invito è nella Sua casella di posta.",
        "moved": "Fatto: l'incontro è ora il {when} (ora di {city}). L'invito aggiornato è nella Sua casella di posta.",
        "done": "Prenotato: {when} (ora di {city}). L'invito con l'ordine del giorno è nella Sua casella di posta.",
        "none": "Non ci sono orari liberi nelle prossime settimane. Risponda al nostro messaggio e ne troveremo uno.",
        "taken": "Questo orario non è più libero: ne scelga un altro, per favore.",
        "expired": "Questo link è scaduto. Risponda al nostro messaggio e troveremo un orario.",
        "unknown": "Questo link non è valido. Usi il link del nostro messaggio, per favore.",
        "failed": "Non è stato possibile inviare l'invito in questo momento; siamo stati avvisati e lo invieremo a breve.",
    },
    "nl": {
        "title": "Kies een tijd voor ons eerste gesprek",
        "intro": "{institution} nodigt {partner} uit voor een eerste verkennend gesprek van {minutes} minuten. "
        "Kies de tijd die u uitkomt: de tijden zijn in de tijd van {city}.",
        "pick": "Vrije tijden",
        "book": "Deze tijd boeken",
        "move": "Het gesprek naar deze tijd verplaatsen",
        "booked": "Uw gesprek: {when} (tijd in {city}). De agenda-uitnodiging staat in uw mailbox.",
        "moved": "Gedaan: het gesprek is nu op {when} (tijd in {city}). De bijgewerkte uitnodiging staat in uw mailbox.",
        "done": "Geboekt: {when} (tijd in {city}). De uitnodiging met de agenda staat in uw mailbox.",
        "none": "In de komende weken is er geen vrije tijd meer. Beantwoord ons bericht, dan zoeken we er een.",
        "taken": "Die tijd is niet meer vrij: kies alstublieft een andere.",
        "expired": "Deze link is verlopen. Beantwoord ons bericht, dan zoeken we een tijd.",
        "unknown": "Deze link is onbekend. Gebruik alstublieft de link uit ons bericht.",
        "failed": "De uitnodiging kon nu niet worden verstuurd; wij zijn op de hoogte en sturen haar zo snel mogelijk.",
    },
    "pl": {
        "title": "Wybór terminu naszego pierwszego spotkania",
        "intro": "{institution} zaprasza {partner} na pierwsze spotkanie rozpoznawcze ({minutes} minut). "
        "Prosimy wybrać dogodny termin; godziny podano w czasie lokalnym ({city}).",
        "pick": "Wolne terminy",
        "book": "Rezerwuję ten termin",
        "move": "Przenieś spotkanie na ten termin",
        "booked": "Termin spotkania: {when} (czas lokalny: {city}). Zaproszenie jest w skrzynce pocztowej.",
        "moved": "Gotowe: spotkanie odbędzie się {when} (czas lokalny: {city}). "
        "Zaktualizowane zaproszenie jest w skrzynce pocztowej.",
        "done": "Zarezerwowano: {when} (czas lokalny: {city}). Zaproszenie z agendą jest w skrzynce pocztowej.",
        "none": "W najbliższych tygodniach nie ma wolnych terminów. Prosimy odpowiedzieć na naszą wiadomość, "
        "a znajdziemy termin.",
        "taken": "Ten termin jest już zajęty: prosimy wybrać inny.",
        "expired": "Ten link wygasł. Prosimy odpowiedzieć na naszą wiadomość, a znajdziemy termin.",
        "unknown": "Ten link jest nieznany. Prosimy skorzystać z linku z naszej wiadomości.",
        "failed": "Nie udało się teraz wysłać zaproszenia; wiemy o tym i wyślemy je wkrótce.",
    },
    "pt": {
        "title": "Escolha um horário para a nossa primeira reunião",
        "intro": "{institution} convida {partner} para uma primeira reunião exploratória de {minutes} minutos. "
        "Escolha o horário que lhe for conveniente: as horas estão na hora de {city}.",
        "pick": "Horários livres",
        "book": "Reservar este horário",
        "move": "Mudar a reunião para este horário",
        "booked": "A sua reunião: {when} (hora de {city}). O convite está na sua caixa de correio.",
        "moved": "Feito: a reunião passa para {when} (hora de {city}). O convite atualizado está na sua caixa de correio.",
        "done": "Reservado: {when} (hora de {city}). O convite com a ordem de trabalhos está na sua caixa de correio.",
        "none": "Não há horários livres nas próximas semanas. Responda à nossa mensagem e encontraremos um.",
        "taken": "Esse horário já não está livre: escolha outro, por favor.",
        "expired": "Esta ligação expirou. Responda à nossa mensagem e encontraremos um horário.",
        "unknown": "Esta ligação não é conhecida. Utilize a ligação da nossa mensagem, por favor.",
        "failed": "Não foi possível enviar o convite neste momento; fomos avisados e enviá-lo-emos em breve.",
    },
}


def words_for(language: str, **values: object) -> dict[str, str]:
    code = base(language) if base(language) in WORDS else "en"
    city = str(values.get("city", ""))
    de_city = f"d'{city}" if city[:1].lower() in "aeiouyéèêâîôûh" else f"de {city}"
    filled = _Blank(values, de_city=de_city)
    return {key: text.format_map(filled) for key, text in WORDS[code].items()}


class _Blank(dict):
    """Values for the page's words; one not known (no partner yet) is left empty."""

    def __missing__(self, key: str) -> str:
        return ""


SAID = ("done", "moved", "failed")


def _show(request: Request, page: booking.BookingPage, status: int = 200, said: str | None = None) -> Response:
    words = words_for(
        page.language,
        institution=page.institution,
        partner=page.partner,
        minutes=page.minutes,
        city=page.city,
        when=page.booked or "",
    )
    return render(
        request,
        "booking.html",
        status,
        page=page,
        words=words,
        language=base(page.language),
        said=words.get(said or ""),
    )


def _problem(request: Request, key: str, status: int) -> Response:
    return render(request, "booking.html", status, page=None, words=words_for("en"), language="en", problem=key)


def _page(workspace: Workspace, token: str) -> booking.BookingPage:
    with workspace.uow() as uow:
        return booking.page(uow.session, booking.find(uow.session, token, workspace.now()), workspace.now())


async def book_page(request: Request) -> Response:
    workspace: Workspace = request.app.state.workspace
    try:
        page = await run_in_threadpool(_page, workspace, request.path_params["token"])
    except booking.LinkExpired:
        return _problem(request, "expired", 410)
    except NotFound:
        return _problem(request, "unknown", 404)
    said = request.query_params.get("said")
    return _show(request, page, said=said if said in SAID else None)


async def book_pick(request: Request) -> Response:
    """A pick: invite (or move), send the invitation from the campaign's mailbox, and show the
    page again (a reload never books twice)."""
    workspace: Workspace = request.app.state.workspace
    token = request.path_params["token"]
    form = await request.form(max_files=0, max_fields=5)
    if not csrf_ok(request, form):
        return _problem(request, "unknown", 403)
    value = str(form.get("slot") or "")

    def job() -> tuple[str, str]:
        now = workspace.now()
        with workspace.uow() as uow:
            link = booking.find(uow.session, token, now)
            moving = booking.page(uow.session, link, now).booked is not None
            meeting = booking.pick(uow.session, link, value, now)
            uow.commit()
            about = f"{link.partner.name}: meeting {meeting.id} at {meeting.start_at:%Y-%m-%d %H:%M} UTC"
            try:
                meetings.deliver(uow, meeting, now)
            except (OutreachError, OSError) as error:  # staff have a to-do; the meeting stands
                log.warning("booking link %s: the invitation was not sent: %s", link.id, error)
                return "failed", about
            return ("moved" if moving else "done"), about

    try:
        outcome, about = await run_in_threadpool(job)
    except booking.LinkExpired:
        return _problem(request, "expired", 410)
    except NotFound:
        return _problem(request, "unknown", 404)
    except booking.SlotTaken:
        return _show(request, await run_in_threadpool(_page, workspace, token), 409, said="taken")
    audit_request(request, "booking.pick", about, outcome, actor="booking link")
    return RedirectResponse(f"/book/{token}?said={outcome}", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/book/{token}", book_page),
        Route("/book/{token}", book_pick, methods=["POST"]),
    ]
