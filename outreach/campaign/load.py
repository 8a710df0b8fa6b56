"""Load a campaign file: YAML with line numbers, pydantic validation, the partners file.

Every problem is collected and reported together as `FILE:LINE: field: message`; a
campaign with any problem is refused whole.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from outreach.adapters.tabular import read_rows
from outreach.adapters.yaml_source import YamlDocument, load_yaml
from outreach.campaign.model import CampaignFile, Credentials, PartnersFile
from outreach.campaign.uploaded import upload_problems
from outreach.domain.logbook import Table, partners_from_table
from outreach.domain.problems import field_path, problems_from
from outreach.domain.records import PartnerIn
from outreach.errors import InvalidInput, Problem


@dataclass(frozen=True)
class LoadedCampaign:
    path: Path
    settings: CampaignFile
    partners: list[PartnerIn]

    @property
    def contact_count(self) -> int:
        return sum(len(p.contacts) for p in self.partners)


SECRET_KEYS = {"password", "token", "oauth2_token", "secret", "api_key"}
SECRET_MESSAGE = (
    "secrets are never written in the campaign file: name an environment variable with "
    "password_env or a file with password_file (OAuth2: oauth2_token_env, oauth2_token_file "
    "or oauth2_token_command); or name a mailbox the administrator registered, by its address alone"
)


def load_campaign(path: Path | str, uploaded: bool = False) -> LoadedCampaign:
    """The validated campaign with all its partners, or InvalidInput listing every problem.

    An `uploaded` file (through the workspace) is first held to what an officer may name
    (campaign/uploaded.py); one that names more is refused before anything else is read."""
    path = Path(path)
    document = load_yaml(path)
    if uploaded:
        refused = upload_problems(document.data, document.source, document.line_for)
        if refused:
            raise InvalidInput(refused)
    try:
        settings = CampaignFile.model_validate(document.data)
    except ValidationError as error:
        problems = [_explain_secret(p) for p in problems_from(error, document.source, document.line_for, known_keys)]
        raise InvalidInput(problems + _partners_file_problems(document.data, path.parent)) from None
    settings = _resolve_paths(settings, path.parent)
    _never_the_workspace_key(settings, document)
    for i, partner in enumerate(settings.partners):
        for j, contact in enumerate(partner.contacts):
            loc = ("partners", i, "contacts", j, "email")
            contact.read_at(document.source, document.line_for(loc), field_path(loc))
    partners, problems = list(settings.partners), _path_problems(settings, document)
    if settings.partners_file is not None:
        more, in_file = _partners_from_file(settings.partners_file)
        problems += in_file
        partners = _merge(partners, more, document, problems)
    if problems:
        raise InvalidInput(problems)
    return LoadedCampaign(path, settings, partners)


def _explain_secret(problem: Problem) -> Problem:
    key = problem.field.rsplit(".", 1)[-1]
    if problem.message.startswith("unknown key") and key in SECRET_KEYS:
        return Problem(problem.source, problem.line, problem.field, SECRET_MESSAGE)
    return problem


def _partners_file_problems(data: object, base: Path) -> list[Problem]:
    """The partners file's own problems, reported with the campaign file's, when it can be read."""
    try:
        spec = PartnersFile.model_validate(data.get("partners_file") if isinstance(data, dict) else None)
    except ValidationError:
        return []
    if not spec.path.is_absolute():
        spec = spec.model_copy(update={"path": base / spec.path})
    return _partners_from_file(spec)[1]


def _resolve_paths(settings: CampaignFile, base: Path) -> CampaignFile:
    """Relative paths in a campaign file are relative to the file itself."""
    updates: dict[str, typing.Any] = {}
    if settings.partners_file is not None and not settings.partners_file.path.is_absolute():
        updates["partners_file"] = settings.partners_file.model_copy(
            update={"path": base / settings.partners_file.path}
        )
    if settings.message.template_dir is not None and not settings.message.template_dir.is_absolute():
        updates["message"] = settings.message.model_copy(update={"template_dir": base / settings.message.template_dir})
    if settings.selection.criteria_file is not None:  # read once: the queued campaign keeps the criteria
        from outreach.campaign.model import CriteriaFile
        from outreach.signing_key import names_key_file

        if names_key_file(base / settings.selection.criteria_file):
            raise InvalidInput(
                [
                    Problem(
                        str(base),
                        None,
                        "selection.criteria_file",
                        "this is the web workspace's signing key; name another file",
                    )
                ]
            )
        more = load_document(base / settings.selection.criteria_file, CriteriaFile).criteria
        updates["selection"] = settings.selection.model_copy(
            update={"criteria": list(settings.selection.criteria) + list(more), "criteria_file": None}
        )
    return settings.model_copy(update=updates)


def _never_the_workspace_key(settings: CampaignFile, document) -> None:
    """No path or variable of a campaign may be the web workspace's signing key."""
    from outreach.signing_key import KEY_ENV, names_key_env, names_key_file

    auth = getattr(settings.mailbox, "auth", None)  # a mailbox named by address has its secret in the registry
    named = [
        (("mailbox", "auth", "password_file"), auth.password_file if auth else None),
        (("mailbox", "auth", "oauth2_token_file"), auth.oauth2_token_file if auth else None),
        (("message", "template_dir"), settings.message.template_dir),
        (("partners_file", "path"), settings.partners_file.path if settings.partners_file else None),
    ]
    problems = [
        Problem(
            document.source,
            document.line_for(keys),
            ".".join(keys),
            "this is (or holds) the web workspace's signing key; name another file or folder",
        )
        for keys, path in named
        if path is not None and names_key_file(path)
    ]
    problems += [
        Problem(
            document.source,
            document.line_for(("mailbox", "auth", key)),
            f"mailbox.auth.{key}",
            f"{KEY_ENV} is the web workspace's signing key, not a mailbox secret",
        )
        for key in ("password_env", "oauth2_token_env")
        if auth and names_key_env(getattr(auth, key))
    ]
    if problems:
        raise InvalidInput(problems)


def _path_problems(settings: CampaignFile, document: YamlDocument) -> list[Problem]:
    """Every path the file names must be there: a folder of templates, a file holding a secret."""
    problems = []
    folder = settings.message.template_dir
    if folder is not None and not folder.is_dir():
        problems.append(
            Problem(
                document.source,
                document.line_for(("message", "template_dir")),
                "message.template_dir",
                f"{str(folder)!r} is not a folder; name a folder of your own templates (relative to "
                "this file), or leave it empty for the built-in ones",
            )
        )
    auth = getattr(settings.mailbox, "auth", None)  # a mailbox named by address: the registry checks its own
    places: list[tuple[tuple[str, ...], Credentials]] = [(("mailbox", "auth"), auth)] if auth is not None else []
    if settings.meeting.staff_calendar is not None and settings.meeting.staff_calendar.auth is not None:
        places.append((("meeting", "staff_calendar", "auth"), settings.meeting.staff_calendar.auth))
    for where, credentials in places:
        for key in ("password_file", "oauth2_token_file"):
            secret = getattr(credentials, key)
            if secret is not None and not secret.is_file():
                loc = (*where, key)
                problems.append(
                    Problem(
                        document.source,
                        document.line_for(loc),
                        ".".join(loc),
                        f"{str(secret)!r} is not a file; name the file that holds the secret "
                        "(it is read when mail goes out), or use password_env",
                    )
                )
    return problems


def _partners_from_file(spec: PartnersFile) -> tuple[list[PartnerIn], list[Problem]]:
    try:
        headers, rows = read_rows(spec.path, spec.sheet, spec.encoding)
    except InvalidInput as error:
        return [], error.problems
    return partners_from_table(Table(str(spec.path), headers, rows), spec.columns)


def _merge(inline: list[PartnerIn], from_file: list[PartnerIn], document, problems) -> list[PartnerIn]:
    """Inline partners and the file's may not name the same contact twice."""
    inline_emails = {c.email for p in inline for c in p.contacts}
    for partner in from_file:
        for contact in partner.contacts:
            if contact.email in inline_emails:
                problems.append(
                    Problem(
                        document.source,
                        document.line_for(("partners_file",)),
                        "partners_file",
                        f"{contact.email} is listed inline too; keep it in one place",
                    )
                )
    return inline + from_file


def load_document(path: Path | str, model: type[BaseModel]):
    """Any YAML file of ours (a meeting outcome, ...) validated by its model, with every
    problem as FILE:LINE: field: message."""
    path = Path(path)
    document = load_yaml(path)
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        raise InvalidInput(
            problems_from(error, document.source, document.line_for, lambda loc: keys_in(model, loc))
        ) from None


def known_keys(loc: tuple) -> list[str]:
    """The keys the campaign file allows at a location, for 'did you mean' hints."""
    return keys_in(CampaignFile, loc)


def keys_in(root: type[BaseModel], loc: tuple) -> list[str]:
    """The keys a model allows at a location inside it."""
    model: object = root
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return []
        model = _model_in(fields[part].annotation)
    return list(getattr(model, "model_fields", {}))


def _model_in(annotation) -> object:
    """The pydantic model inside list[...], X | None, Annotated[...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def load_mailbox_section(path: Path | str):
    """A campaign file's `mailbox:` section written out in full (servers and secret source), for
    the administrator's registry; every problem as FILE:LINE: mailbox.field: message."""
    from outreach.campaign.model import Mailbox

    path = Path(path)
    document = load_yaml(path)
    section = document.data.get("mailbox") if isinstance(document.data, dict) else None
    if not isinstance(section, dict) or set(section) <= {"address"}:
        raise InvalidInput(
            [
                Problem(
                    document.source,
                    document.line_for(("mailbox",)),
                    "mailbox",
                    "this file has no mailbox section with servers and a secret source to register",
                )
            ]
        )
    try:
        return Mailbox.model_validate(section)
    except ValidationError as error:
        raise InvalidInput(
            [
                _explain_secret(p)
                for p in problems_from(
                    error,
                    document.source,
                    lambda loc: document.line_for(("mailbox",) + loc),
                    lambda loc: keys_in(Mailbox, loc),
                    loc_prefix=("mailbox",),
                )
            ]
        ) from None
