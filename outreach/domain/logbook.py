"""The partner logbook as a table: one row per contact, the organisation repeated.

Pure functions between table rows and `PartnerIn` records. Row numbers and the file's own
column names travel with every problem, so a user can find the cell to fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from outreach.domain.problems import message_for
from outreach.domain.records import ContactIn, PartnerIn
from outreach.errors import Problem

PARTNER_FIELDS = {
    "organisation": "name",
    "website": "website",
    "mail_domain": "mail_domain",
    "country": "country",
    "region": "region",
    "source": "source",
    "partnership_types": "partnership_types",
    "focus_area": "focus_area",
    "personal_note": "personal_note",
    "notes": "notes",
    "tags": "tags",
    "influence": "influence",
    "interest": "interest",
    "phase": "phase",
    "status": "status",
}
CONTACT_FIELDS = {
    "contact_name": "name",
    "salutation": "salutation",
    "title": "title",
    "family_name": "family_name",
    "role": "role",
    "email": "email",
    "language": "language",
    "register": "register",
    "timezone": "timezone",
    "contact_status": "status",
}
LOGBOOK_FIELDS = tuple(PARTNER_FIELDS) + tuple(CONTACT_FIELDS)
_BY_MODEL_FIELD = {
    **{model: column for column, model in PARTNER_FIELDS.items()},
}
_BY_CONTACT_FIELD = {model: column for column, model in CONTACT_FIELDS.items()}
# The usual column names of partner spreadsheets in our eight languages, squashed (lower
# case, letters and digits only), for the logbook field each one means.
_SAID = {
    "organisation": "organization organisationname company partner firma unternehmen organisation institution "
    "einrichtung betrieb entreprise société societe structure empresa entidad organización "
    "organizacion azienda ente società organizzazione bedrijf organisatie instelling firma "
    "instytucja organizacja przedsiębiorstwo empresa organização organizacao entidade",
    "email": "emailaddress mail emailadresse courriel adressemail adresseemail correo correoelectrónico "
    "correoelectronico posta postaelettronica indirizzoemail emailadres adresemail emailadres "
    "correioeletrónico correioeletronico",
    "contact_name": "contact contactperson name ansprechpartner ansprechperson kontaktperson kontakt "
    "interlocuteur nomcontact personnecontact contacto personadecontacto referente contatto "
    "contactpersoon naam osobakontaktowa kontakt pessoadecontacto contato nomecompleto",
    "salutation": "anrede civilité civilite tratamiento titolo_di_cortesia appellativo aanhef zwrot "
    "forma_de_tratamento formadetratamento tratamento honorific gender geschlecht genre género "
    "genere geslacht płeć género",
    "title": "titel akademischergrad titre título titulo titolo tytuł tytul tytułnaukowy",
    "family_name": "lastname surname familyname nachname familienname nom nomdefamille apellido apellidos "
    "cognome achternaam nazwisko apelido sobrenome",
    "role": "position jobtitle function funktion rolle stelle fonction poste rôle cargo puesto ruolo "
    "funzione functie stanowisko funkcja função funcao",
    "partnership_types": "type partnershiptype partnerschaftsart kooperationsart typedepartenariat "
    "tipodecolaboración tipodecolaboracion tipodipartenariato samenwerkingsvorm "
    "rodzajwspółpracy tipodeparceria",
    "mail_domain": "domain maildomain domäne domaine dominio domein domena domínio",
    "country": "land pays país pais paese nazione kraj país",
    "region": "bundesland ort stadt city town région ville región ciudad provincia regione città citta "
    "regio plaats stad województwo miasto região cidade distrito",
    "website": "webseite homepage internetseite siteweb siteinternet sitio sitioweb páginaweb paginaweb "
    "sitoweb sito strona stronainternetowa stronawww sítio sitio",
    "source": "quelle herkunft fonte fuente origen bron źródło zrodlo origem",
    "focus_area": "focus schwerpunkt branche sektor domaine secteur sector área area settore ambito "
    "sectorfocus zwerpunt branża branza specjalizacja setor",
    "personal_note": "personalnote persönlichenotiz persönlichernotiz persoenlichenotiz notepersonnelle notapersonal "
    "notapersonale persoonlijkenotitie notatkaosobista",
    "notes": "comments comment remarks note notizen notiz bemerkungen anmerkungen remarques commentaires notas "
    "observaciones "
    "osservazioni note opmerkingen notities uwagi notatki observações observacoes",
    "tags": "tag schlagworte stichworte étiquettes etiquettes etiquetas etichette labels tagi",
    "language": "sprache langue idioma lingua taal język jezyk língua lingua",
    "register": "anredeform tonalität registre registro registro",
    "timezone": "zeitzone fuseauhoraire zonahoraria fusoorario tijdzone strefaczasowa fusohorário",
    "phase": "phase étape etape fase fase faza",
    "influence": "einfluss influencia influenza invloed wpływ wplyw influência influencia",
    "interest": "interesse intérêt interet interés interes belang zainteresowanie",
    "status": "statut estado stato",
}
ALIASES = {alias: field for field, words in _SAID.items() for alias in words.replace("_", "").split()}


@dataclass(frozen=True)
class Table:
    """A logbook file read into memory: its name, headers and numbered rows."""

    source: str
    headers: list[str]
    rows: list[Any]  # of outreach.adapters.tabular.Row (number, values)


def _squash(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


EXTRA = "extra:"  # a column kept as it is (phone, size, anything else), under its own heading
SUGGEST_CUTOFF = 0.8


def resolve_columns(table: Table, mapping: dict[str, str]) -> tuple[dict[str, str], list[Problem]]:
    """Which file column holds which logbook field. `mapping` is field -> the file's header."""
    problems, columns = [], {}
    for field, header in mapping.items():
        if header not in table.headers:
            problems.append(
                Problem(
                    table.source,
                    1,
                    field,
                    f"the file has no column {header!r}; it has: {', '.join(h for h in table.headers if h)}",
                )
            )
        columns[header] = field
    known = {_squash(f): f for f in LOGBOOK_FIELDS} | ALIASES
    for header in table.headers:
        if not header or header in columns:
            continue
        found = known.get(_squash(header))
        if found is None:
            close = difflib.get_close_matches(_squash(header), list(known), n=1, cutoff=SUGGEST_CUTOFF)
            if close:  # a misspelt field is a mistake, not extra data
                problems.append(
                    Problem(
                        table.source,
                        1,
                        header,
                        f"did you mean {known[close[0]]}? rename the column, or map it: --map "
                        f"'{known[close[0]]}={header}'",
                    )
                )
            else:  # anything else is kept with the partner under its own heading
                columns[header] = EXTRA + header
        elif found in columns.values() and found != EXTRA:
            problems.append(Problem(table.source, 1, header, f"a second column for {found}; keep one"))
        else:
            columns[header] = found
    if "organisation" not in columns.values() and not problems:
        problems.append(Problem(table.source, 1, "organisation", "the file needs an organisation column"))
    return columns, problems


def partners_from_table(table: Table, mapping: dict[str, str] | None = None) -> tuple[list[PartnerIn], list[Problem]]:
    """Validate every row and group contacts under their organisation."""
    columns, problems = resolve_columns(table, mapping or {})
    if problems:
        return [], problems
    header_of = {field: header for header, field in columns.items()}
    groups: dict[tuple[str, str], _Group] = {}
    seen_emails: dict[str, int] = {}
    for row in table.rows:
        record = _row_record(row, columns, header_of, table.source, problems)
        if record is None:
            continue
        for contact in record.contacts:
            if contact.email in seen_emails:
                problems.append(
                    Problem(
                        table.source,
                        row.number,
                        header_of["email"],
                        f"{contact.email} is already in row {seen_emails[contact.email]}",
                    )
                )
                break
            seen_emails[contact.email] = row.number
        else:
            group = groups.setdefault(record.key, _Group(record, row.number))
            group.merge(record, row.number, table.source, header_of, problems)
    return [group.partner() for group in groups.values()], problems


def _row_record(
    row: Any, columns: dict[str, str], header_of: dict[str, str], source: str, problems: list[Problem]
) -> PartnerIn | None:
    partner = {PARTNER_FIELDS[f]: v for h, f in columns.items() if f in PARTNER_FIELDS and (v := row.values.get(h))}
    contact = {CONTACT_FIELDS[f]: v for h, f in columns.items() if f in CONTACT_FIELDS and (v := row.values.get(h))}
    extra = {
        f.removeprefix(EXTRA): str(v) for h, f in columns.items() if f.startswith(EXTRA) and (v := row.values.get(h))
    }
    if contact and "email" not in contact:
        # a prospect: someone to write to once an address is known; kept with the partner, never mailed
        extra.update(
            {
                f"{h} (no address yet)": str(row.values[h])
                for h, f in columns.items()
                if f in CONTACT_FIELDS and row.values.get(h)
            }
        )
        contact = {}
    if extra:
        partner["extra"] = extra
    try:
        record = PartnerIn.model_validate({**partner, "contacts": [contact] if contact else []})
    except ValidationError as error:
        for item in error.errors():
            field = _logbook_field(item["loc"])
            problems.append(Problem(source, row.number, header_of.get(field, field), message_for(item)))
        return None
    for read in record.contacts:
        read.read_at(source, row.number, header_of.get("email", "email"))
    return record


def _logbook_field(loc: tuple[int | str, ...]) -> str:
    if loc and loc[0] == "contacts":
        return _BY_CONTACT_FIELD.get(str(loc[2]) if len(loc) > 2 else "email", "email")
    return _BY_MODEL_FIELD.get(str(loc[0]), str(loc[0])) if loc else "organisation"


class _Group:
    """The rows of one organisation; its fields must agree where more than one row gives them."""

    def __init__(self, first: PartnerIn, row: int) -> None:
        self.first = first
        self.fields = first.model_dump(exclude={"contacts"}, exclude_defaults=True)
        self.first_row = dict.fromkeys(self.fields, row)
        self.contacts: list[ContactIn] = []
        self.rows = 0

    def merge(
        self, record: PartnerIn, row: int, source: str, header_of: dict[str, str], problems: list[Problem]
    ) -> None:
        self.rows += 1
        if record is self.first:  # its own fields: nothing to compare
            self.contacts.extend(record.contacts)
            return
        # The name may be spelt differently (case, spacing): the first spelling is kept.
        for name, value in record.model_dump(exclude={"contacts", "name"}, exclude_defaults=True).items():
            if name == "extra":  # extra columns of several rows (contacts) are gathered
                self.fields["extra"] = {**value, **self.fields.get("extra", {})}
            elif name not in self.fields:
                self.fields[name], self.first_row[name] = value, row
            elif self.fields[name] != value:
                column = header_of.get(_BY_MODEL_FIELD.get(name, name), name)
                problems.append(
                    Problem(
                        source,
                        row,
                        column,
                        f"differs from row {self.first_row[name]} for the same organisation; make the rows agree",
                    )
                )
        self.contacts.extend(record.contacts)

    def partner(self) -> PartnerIn:
        if self.rows == 1:  # one row: the record as it was read and validated
            return self.first
        return PartnerIn(**self.fields, contacts=self.contacts)


def table_from_partners(partners: Iterable[PartnerIn]) -> tuple[list[str], list[list[str]]]:
    """The export: one row per contact, one row for an organisation without contacts; the
    extra columns after the logbook's own."""
    partners = list(partners)
    extra = list(dict.fromkeys(key for p in partners for key in p.extra))
    rows = []
    for partner in partners:
        base = [_text(getattr(partner, PARTNER_FIELDS[f])) for f in PARTNER_FIELDS]
        kept = [partner.extra.get(key, "") for key in extra]
        contacts: list[ContactIn | None] = [*partner.contacts] or [None]
        for contact in contacts:
            rest = [_text(getattr(contact, CONTACT_FIELDS[f])) if contact else "" for f in CONTACT_FIELDS]
            rows.append(base + rest + kept)
    return list(LOGBOOK_FIELDS) + extra, rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
