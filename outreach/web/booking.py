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
from outreach.web.handlers import Workspace, audit_request, client_address, csrf_ok, render, visitor_of

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
        "closed": "This link no longer works. Please answer our mail and we will find a time.",
        "often": "This time has been changed often enough for now: please answer our mail if it should move again.",
        "cookies": "Your browser did not send this page's cookie back: allow cookies for this site, reload the page and pick again.",
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
        "closed": "Dieser Link gilt nicht mehr. Antworten Sie bitte auf unsere Nachricht, dann finden wir einen Termin.",
        "often": "Der Termin wurde vorerst oft genug geändert: Antworten Sie bitte auf unsere Nachricht, wenn er sich noch einmal verschieben soll.",
        "cookies": "Ihr Browser hat das Cookie dieser Seite nicht zurückgesandt: Erlauben Sie Cookies für diese Seite, laden Sie sie neu und wählen Sie erneut.",
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
        "closed": "Ce lien n'est plus valable. Répondez simplement à notre message et nous trouverons un créneau.",
        "often": "Le créneau a déjà été modifié plusieurs fois : répondez à notre message s'il doit encore changer.",
        "cookies": "Votre navigateur n'a pas renvoyé le cookie de cette page : autorisez les cookies pour ce site, rechargez la page et choisissez à nouveau.",
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
        "closed": "Este enlace ya no es válido. Responda a nuestro mensaje y buscaremos un horario.",
        "often": "El horario ya se ha cambiado varias veces: responda a nuestro mensaje si debe cambiar de nuevo.",
        "cookies": "Su navegador no ha devuelto la cookie de esta página: permita las cookies de este sitio, recargue la página y vuelva a elegir.",
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
        "closed": "Questo link non è più valido. Risponda al nostro messaggio e troveremo un orario.",
        "often": "L'orario è già stato cambiato più volte: risponda al nostro messaggio se deve cambiare ancora.",
        "cookies": "Il Suo browser non ha rinviato il cookie di questa pagina: consenta i cookie per questo sito, ricarichi la pagina e scelga di nuovo.",
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
        "closed": "Deze link werkt niet meer. Beantwoord ons bericht, dan zoeken we een tijd.",
        "often": "De tijd is al een paar keer gewijzigd: beantwoord ons bericht als hij nog eens moet verschuiven.",
        "cookies": "Uw browser stuurde de cookie van deze pagina niet terug: sta cookies voor deze site toe, laad de pagina opnieuw en kies nogmaals.",
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
        "closed": "Ten link już nie działa. Prosimy odpowiedzieć na naszą wiadomość, a znajdziemy termin.",
        "often": "Termin był już kilkakrotnie zmieniany: jeśli ma się jeszcze zmienić, prosimy odpowiedzieć na naszą wiadomość.",
        "cookies": "Przeglądarka nie odesłała pliku cookie tej strony: prosimy zezwolić na pliki cookie dla tej witryny, odświeżyć stronę i wybrać ponownie.",
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
        "closed": "Esta ligação já não é válida. Responda à nossa mensagem e encontraremos um horário.",
        "often": "O horário já foi alterado várias vezes: responda à nossa mensagem se tiver de mudar de novo.",
        "cookies": "O seu navegador não devolveu o cookie desta página: permita cookies para este site, recarregue a página e escolha novamente.",
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
        headers=NO_INDEX,
        page=page,
        words=words,
        language=base(page.language),
        said=words.get(said or ""),
        said_problem=said in ("taken", "failed", "often", "none"),
    )


NO_INDEX = {"X-Robots-Tag": "noindex, nofollow"}  # a partner's own page: never in a search engine


def _problem(request: Request, key: str, status: int) -> Response:
    return render(
        request, "booking.html", status, headers=NO_INDEX, page=None, words=words_for("en"), language="en", problem=key
    )


def _page(workspace: Workspace, token: str) -> booking.BookingPage:
    with workspace.uow() as uow:
        return booking.page(uow.session, booking.find(uow.session, token, workspace.now()), workspace.now())


def _refused(request: Request, error: Exception) -> Response:
    """Why a link does not act, said as the page says it; unknown links logged with the client."""
    if isinstance(error, booking.LinkClosed):
        return _problem(request, "closed", 410)
    if isinstance(error, booking.LinkExpired):
        return _problem(request, "expired", 410)
    log.warning("booking: an unknown link was asked for from %s", client_address(request))
    return _problem(request, "unknown", 404)


async def book_page(request: Request) -> Response:
    workspace: Workspace = request.app.state.workspace
    try:
        page = await run_in_threadpool(_page, workspace, request.path_params["token"])
    except (booking.LinkExpired, NotFound) as error:
        return _refused(request, error)
    said = request.query_params.get("said")
    return _show(request, page, said=said if said in SAID else None)


async def book_pick(request: Request) -> Response:
    """A pick: invite (or move), send the invitation from the campaign's mailbox, and show the
    page again (a reload never books twice)."""
    workspace: Workspace = request.app.state.workspace
    token = request.path_params["token"]
    form = await request.form(max_files=0, max_fields=5)
    if not csrf_ok(request, form):
        return _problem(request, "cookies", 403)
    value = str(form.get("slot") or "")

    def job() -> tuple[str, str, str]:
        now = workspace.now()
        with workspace.uow() as uow:
            link = booking.find(uow.session, token, now)
            held = booking.booked(uow.session, link, now)
            before = f"{held.start_at:%Y-%m-%d %H:%M} UTC" if held else None
            meeting = booking.pick(uow.session, link, value, now)
            uow.commit()
            subject = f"booking link {link.id} ({link.contact.email}, {link.partner.name}): meeting {meeting.id}"
            detail = f"from {before} to " if before else "at "
            detail += f"{meeting.start_at:%Y-%m-%d %H:%M} UTC"
            try:
                meetings.deliver(uow, meeting, now)
            except (OutreachError, OSError) as error:  # staff have a to-do; the meeting stands
                log.warning("booking link %s: the invitation was not sent: %s", link.id, error)
                return "failed", subject, detail
            return ("moved" if before else "done"), subject, detail

    try:
        outcome, subject, detail = await run_in_threadpool(job)
    except (booking.LinkExpired, NotFound) as error:
        return _refused(request, error)
    except booking.SlotTaken:
        return _show(request, await run_in_threadpool(_page, workspace, token), 409, said="taken")
    except booking.TooManyPicks:
        return _show(request, await run_in_threadpool(_page, workspace, token), 429, said="often")
    except OutreachError as error:  # nobody at the partner can be invited, no slot left: by mail
        log.warning("booking: a pick could not be booked: %s", error)
        return _show(request, await run_in_threadpool(_page, workspace, token), 409, said="none")
    visitor = visitor_of(request)  # staff who open a partner's link act under their own name
    actor = f"{visitor.email} via the booking link" if visitor else "booking link"
    await run_in_threadpool(audit_request, request, "booking.pick", subject, f"{outcome}: {detail}", actor)
    return RedirectResponse(f"/book/{token}?said={outcome}", status_code=303, headers=NO_INDEX)


def routes() -> list[Route]:
    return [
        Route("/book/{token}", book_page),
        Route("/book/{token}", book_pick, methods=["POST"]),
    ]
