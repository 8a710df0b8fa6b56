"""An officer's account is not a key to the server (issue 19, parts 2, 3, 4 and 6), over HTTP
with Starlette's test client (SQLite and PostgreSQL) and, where the network matters, a real
uvicorn on loopback:

- sessions live on the server: logout, a password change, account removal and key rotation
  end them at once; idle timeout and absolute lifetime; the role is read from the database;
- the login throttle slows a client, never the account's owner at another address;
- request bodies are counted while they arrive; `back`/`next` stay on this site; every
  response carries the safety headers;
- the signing key is owner-only, never served, never nameable by a campaign;
- the audit log records who did what from where, for the CLI and the admin page."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import pwd
import re
import socket
import stat
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.routing import Route
from starlette.testclient import TestClient

from outreach.db.models import Partner, WebSession
from outreach.db.types import utcnow
from outreach.errors import InvalidInput
from outreach.services.accounts import audit
from outreach.signing_key import KEY_FILE
from outreach.web.app import create_app
from outreach.web.security import local_path
from tests.support.browser import WebServer
from tests.support.campaigns import campaign_settings, named, register_mailbox, write_campaign
from tests.support.services import closed_port
from tests.test_sending_rules import queue
from tests.test_web_forms import PASS, client, logged_in, token, web  # noqa: F401  (web: the fixture)

OFFICER, ADMIN = "officer@school.test", "admin@school.test"


def on_login_page(answer) -> bool:
    return answer.status_code == 200 and answer.url.path == "/login" and "<h1>Log in</h1>" in answer.text


def sessions_of(app, email: str) -> list[tuple[str, str]]:
    """(token hash, client) of each session of the account."""
    from outreach.db.models import User

    with app.uow() as uow:
        return [
            tuple(r)
            for r in uow.session.execute(
                sa.select(WebSession.token_hash, WebSession.client).join(User).where(User.email == email)
            )
        ]


def events(app, action: str | None = None) -> list[dict]:
    with app.uow() as uow:
        return [audit.as_dict(e) for e in audit.recent(uow.session, 1000, action)]


# --- sessions on the server ------------------------------------------------------------------


def test_a_removed_account_and_a_cookie_copied_before_logout_get_the_login_page(web, cli):
    officer = logged_in(web)
    value = officer.cookies["outreach_session"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)  # an opaque token: no user, no role in it
    assert sessions_of(web, OFFICER) == [(hashlib.sha256(value.encode()).hexdigest(), "testclient")]

    copied = TestClient(create_app(web), cookies={"outreach_session": value})
    assert copied.get("/").url.path == "/"  # the copy works while the session lives
    officer.post("/logout", data={"csrf": token(officer, "/")})
    assert sessions_of(web, OFFICER) == []
    assert on_login_page(copied.get("/"))
    assert copied.post("/partners/1/note", data={"text": "x"}).status_code == 401

    still_open = logged_in(web)
    assert still_open.get("/").url.path == "/"
    assert cli("users", "remove", OFFICER).code == 0
    assert on_login_page(still_open.get("/"))
    assert sessions_of(web, OFFICER) == []


def test_the_role_is_read_from_the_database_on_each_request(web, cli):
    officer = logged_in(web)
    csrf = token(officer, "/")
    assert officer.get("/audit").status_code == 403
    assert cli("users", "role", OFFICER, "viewer").code == 0
    refused = officer.post("/campaigns/x/pause", data={"csrf": csrf})
    assert refused.status_code == 403 and "viewer" in refused.text
    assert cli("users", "role", OFFICER, "admin").code == 0
    assert officer.get("/audit").status_code == 200


def test_sessions_end_when_idle_and_when_old(web, monkeypatch):
    now = [utcnow()]
    monkeypatch.setattr(web, "now", lambda: now[0])
    logged_at = now[0]
    busy = logged_in(web)
    for _ in range(30):  # a request every 7 h 59 min keeps it, up to 7 days after the login
        now[0] += timedelta(hours=7, minutes=59)
        if on_login_page(busy.get("/")):
            break
    assert timedelta(days=7) < now[0] - logged_at <= timedelta(days=7, hours=8)

    idle = logged_in(web)
    now[0] += timedelta(hours=7, minutes=50)
    assert idle.get("/").url.path == "/"
    now[0] += timedelta(hours=8, minutes=1)
    assert on_login_page(idle.get("/"))

    monkeypatch.setenv("OUTREACH_WEB_IDLE_HOURS", "0.5")  # configurable
    short = TestClient(create_app(web))
    short.post("/login", data={"email": OFFICER, "password": PASS, "csrf": token(short)})
    assert short.get("/").url.path == "/"
    now[0] += timedelta(minutes=31)
    assert on_login_page(short.get("/"))


def test_bad_lifetime_settings_are_refused_with_their_name(monkeypatch, cli):
    monkeypatch.setenv("OUTREACH_WEB_MAX_DAYS", "a week")
    answer = cli("web", "--port", "1")
    assert answer.code == 2 and "OUTREACH_WEB_MAX_DAYS" in answer.err and "positive number" in answer.err


def test_a_password_change_ends_every_other_session(web, cli):
    here, elsewhere = logged_in(web), logged_in(web)
    csrf = token(here, "/account")
    wrong = here.post(
        "/account/password",
        data={"csrf": csrf, "current": "not it", "new": "another long phrase", "repeated": "another long phrase"},
    )
    assert wrong.status_code == 400 and "not your current password" in wrong.text
    changed = here.post(
        "/account/password",
        data={"csrf": csrf, "current": PASS, "new": "another long phrase", "repeated": "another long phrase"},
    )
    assert changed.status_code == 200 and "password changed" in changed.text
    assert here.get("/account").url.path == "/account"  # this browser got a new session
    assert on_login_page(elsewhere.get("/"))
    assert len(sessions_of(web, OFFICER)) == 1

    assert cli("users", "password", OFFICER, stdin="a third long phrase\n").code == 0
    assert on_login_page(here.get("/"))
    fresh = client(web)
    assert (
        fresh.post(
            "/login",
            data={"email": OFFICER, "password": "a third long phrase", "csrf": token(fresh)},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert cli("users", "password", OFFICER, stdin="short\n").code == 2


# --- the signing key ------------------------------------------------------------------------


def test_rotate_secret_makes_a_new_key_and_ends_every_session(web, cli, monkeypatch):
    monkeypatch.setenv("OUTREACH_DATA", str(web.data_dir))
    monkeypatch.delenv("OUTREACH_WEB_SECRET", raising=False)
    officer, admin = logged_in(web), logged_in(web, ADMIN)
    stranger = TestClient(officer.app)
    old_form = token(stranger)
    key = Path(web.data_dir) / KEY_FILE
    before = key.read_text()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not key.resolve().is_relative_to(Path(create_app.__code__.co_filename).parent / "static")

    rotated = cli("web", "rotate-secret")
    assert rotated.code == 0 and "2 sessions ended" in rotated.out, rotated
    assert key.read_text() != before and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert on_login_page(officer.get("/")) and on_login_page(admin.get("/"))
    late = stranger.post("/login", data={"email": OFFICER, "password": PASS, "csrf": old_form})
    assert late.status_code == 403  # a form made under the old key is out of date in the running workspace
    assert (
        stranger.post(
            "/login", data={"email": OFFICER, "password": PASS, "csrf": token(stranger)}, follow_redirects=False
        ).status_code
        == 303
    )

    monkeypatch.setenv("OUTREACH_WEB_SECRET", "k" * 48)
    given = cli("web", "rotate-secret")
    assert given.code == 1 and "OUTREACH_WEB_SECRET" in given.err and "1 session ended" in given.out


def test_no_campaign_can_name_the_signing_key(web, tmp_path, monkeypatch):
    from outreach.campaign import load_campaign
    from outreach.mail.secrets import SecretError, resolve

    create_app(web)  # the workspace has made its key
    key = Path(web.data_dir) / KEY_FILE
    partners = [{"name": "Nordhafen", "contacts": [{"name": "Klaus", "email": "k@nordhafen.test"}]}]
    cases = {
        "password_file": {"mailbox__auth": {"username": "vet@school.test", "password_file": str(key)}},
        "linked": {"mailbox__auth": {"username": "vet@school.test", "password_file": str(tmp_path / "innocent")}},
        "password_env": {"mailbox__auth": {"username": "vet@school.test", "password_env": "OUTREACH_WEB_SECRET"}},
        "template_dir": {"message__template_dir": str(web.data_dir)},
    }
    (tmp_path / "innocent").symlink_to(key)
    for name, overrides in cases.items():
        path = write_campaign(
            tmp_path,
            campaign_settings(f"c-{name.replace('_', '-')}", closed_port(), closed_port(), partners, **overrides),
        )
        with pytest.raises(InvalidInput, match="signing key"):
            load_campaign(path)
    from outreach.campaign.model import Credentials

    with pytest.raises(SecretError, match="signing key"):  # a campaign stored before this check: refused at use
        resolve(Credentials(username="vet@school.test", password_file=key))
    assert client(web).get(f"/static/../{KEY_FILE}").status_code == 404


def test_an_uploaded_campaign_may_not_name_files_on_the_server(web, tmp_path):
    officer = logged_in(web)
    settings = campaign_settings(
        "web-files",
        closed_port(),
        closed_port(),
        [],
        partners_file={"path": "/etc/passwd"},
        message__template_dir="/etc",
    )
    settings.pop("partners")
    path = write_campaign(tmp_path, settings)
    refused = officer.post(
        "/campaigns/queue", data={"csrf": token(officer, "/campaigns")}, files={"file": ("c.yaml", path.read_bytes())}
    )
    assert refused.status_code == 400 and "cannot name files on the server" in refused.text
    assert "partners_file" in refused.text and "message.template_dir" in refused.text
    assert "root:" not in refused.text


# --- the login throttle ---------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def attempt(browser: TestClient, email: str, password: str):
    return browser.post(
        "/login", data={"email": email, "password": password, "csrf": token(browser)}, follow_redirects=False
    )


def test_wrong_passwords_from_one_address_never_lock_out_the_owner_at_another(web, caplog):
    app = create_app(web)
    clock = Clock()
    app.state.workspace.limit.clock = clock
    attacker = TestClient(app, client=("127.0.0.2", 50000))
    answers = [attempt(attacker, OFFICER, "wrong guess").status_code for _ in range(6)]
    assert answers == [401, 401, 401, 429, 429, 429]
    slowed = attempt(attacker, OFFICER, PASS)  # even the right password waits, from there
    assert slowed.status_code == 429 and slowed.headers["retry-after"] == "2" and "wait 2 seconds" in slowed.text

    owner = TestClient(app, client=("127.0.0.3", 50000))
    assert attempt(owner, OFFICER, PASS).status_code == 303
    assert owner.get("/").url.path == "/"

    clock.now += 2.5  # the wait doubles with each further failure
    assert attempt(attacker, OFFICER, "wrong guess").status_code == 401
    assert attempt(attacker, OFFICER, "wrong guess").headers["retry-after"] == "4"
    clock.now += 4.5
    assert attempt(attacker, OFFICER, PASS).status_code == 303  # a correct password clears the pair

    sprayer = TestClient(app, client=("127.0.0.4", 50000))  # one address trying many accounts
    assert [attempt(sprayer, f"user{i}@school.test", "x").status_code for i in range(11)] == [401] * 10 + [429]
    assert attempt(TestClient(app, client=("127.0.0.5", 50000)), ADMIN, PASS).status_code == 303

    assert "failed login for 'officer@school.test' from 127.0.0.2" in caplog.text
    failed = [e for e in events(web, "login.failed") if e["subject"] == OFFICER]
    assert len(failed) == 4 and {e["source"] for e in failed} == {"127.0.0.2"}
    assert {(e["actor"], e["source"]) for e in events(web, "login")} >= {(OFFICER, "127.0.0.3"), (ADMIN, "127.0.0.5")}


def test_parallel_guesses_are_counted_before_any_is_checked():
    from outreach.web.security import LoginThrottle

    throttle = LoginThrottle(clock=Clock())
    for _ in range(3):  # three guesses in flight at once, none answered yet
        assert throttle.wait("ip:a", OFFICER) == 0
        throttle.attempt("ip:a", OFFICER)
    assert throttle.wait("ip:a", OFFICER) == 2.0 and throttle.wait("ip:b", OFFICER) == 0
    throttle.succeeded("ip:a", OFFICER)  # one of them was right: the pair is cleared
    assert throttle.wait("ip:a", OFFICER) == 0


def test_ipv6_clients_are_counted_by_their_64():
    from outreach.web.security import client_key

    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:127.0.0.2") == client_key("127.0.0.2") == "ip:127.0.0.2"


# --- limits ---------------------------------------------------------------------------------


def test_a_campaign_upload_over_its_limit_gets_a_clear_413(web):
    officer = logged_in(web)
    csrf = token(officer, "/campaigns")
    answer = officer.post(
        "/campaigns/queue", data={"csrf": csrf}, files={"file": ("big.yaml", b"#" * (2 * 1024 * 1024))}
    )
    assert (
        answer.status_code == 413 and "a campaign file may be 1 MB" in answer.text and "Nothing was read" in answer.text
    )
    just_over = officer.post(
        "/campaigns/queue", data={"csrf": csrf}, files={"file": ("big.yaml", b"#" * (1024 * 1024 + 1))}
    )
    assert just_over.status_code == 413  # the file itself, within the route's allowance for the form around it
    two_files = officer.post(
        "/campaigns/queue", data={"csrf": csrf}, files=[("file", ("a.yaml", b"a")), ("file", ("b.yaml", b"b"))]
    )
    assert two_files.status_code == 400
    long_note = officer.post("/partners/1/note", data={"csrf": csrf, "text": "x" * (600 * 1024)})
    assert long_note.status_code == 413


def raw_post(port: int, head: str, body_parts, wait: float = 10.0) -> bytes:
    """A POST sent by hand: the headers, then as much of the body as `body_parts` yields
    (a thread), while the answer is read; the body is never finished."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=wait)
    sent = {"bytes": 0}

    def push():
        try:
            connection.sendall(head.encode())
            for part in body_parts:
                connection.sendall(part)
                sent["bytes"] += len(part)
        except OSError:
            pass  # the server closed the connection: it will not read more

    pusher = threading.Thread(target=push, daemon=True)
    pusher.start()
    answer = b""
    try:
        while b"\r\n\r\n" not in answer or b"</html>" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    finally:
        connection.close()
    return answer


def test_the_server_answers_413_without_reading_the_whole_upload(web):
    import httpx

    with WebServer(web) as server:
        with httpx.Client(base_url=server.url) as officer:  # logged in: the form would be read
            officer.post("/login", data={"email": OFFICER, "password": PASS, "csrf": token(officer)})
            cookie = officer.cookies["outreach_session"]
        head = (
            "POST /campaigns/queue HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: outreach_session={cookie}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        )
        declared = raw_post(server.port, head + f"Content-Length: {2 * 1024 * 1024}\r\n\r\n", [b"-" * 65536])
        assert declared.startswith(b"HTTP/1.1 413") and b"a campaign file may be 1 MB" in declared

        opening = b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.yaml"\r\n\r\n'
        chunk = b"#" * 65536
        sent = []

        def never_ending():  # a chunked upload whose file would go on for ever
            for part in itertools.chain([opening], itertools.repeat(chunk)):
                sent.append(len(part))
                yield b"%x\r\n%s\r\n" % (len(part), part)

        streamed = raw_post(server.port, head + "Transfer-Encoding: chunked\r\n\r\n", never_ending())
        assert streamed.startswith(b"HTTP/1.1 413") and b"a campaign file may be 1 MB" in streamed
        assert sum(sent) < 64 * 1024 * 1024  # answered at the limit; the rest (the sockets hold a few MB) never read
        for name in (b"content-security-policy", b"x-content-type-options"):
            assert name in streamed.lower()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/x\r\nSet-Cookie: a=b",
        "/\x00x",
        "http:/evil.example",
        "",
    ],
)
def test_back_and_next_accept_only_paths_of_this_site(target):
    assert local_path(target) == "/"


def test_paths_of_this_site_are_kept():
    assert local_path("/partners/3?said=x") == "/partners/3?said=x"


def test_forms_send_the_browser_back_only_within_the_site(web, uow):
    from outreach.services.partners.todos import TodoKind, raise_todo

    todo = raise_todo(uow.session, TodoKind.UNCLEAR, "look at this", utcnow())
    uow.commit()
    fresh = client(web)
    answer = fresh.post(
        "/login",
        data={"email": OFFICER, "password": PASS, "csrf": token(fresh), "next": "https://evil.example"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert 'name="next" value="/"' in client(web).get("/login?next=//evil.example").text
    closed = fresh.post(
        f"/todos/{todo.id}/done",
        data={"csrf": token(fresh, "/"), "reason": "done", "back": "https://evil.example"},
        follow_redirects=False,
    )
    assert closed.status_code == 303 and closed.headers["location"].startswith("/?said=")


def test_every_response_carries_the_safety_headers(web, tmp_path, uow):
    queue(uow, tmp_path, count=1)
    app = create_app(web)

    async def boom(request):
        raise RuntimeError("a bug")

    app.router.routes.append(Route("/boom", boom))
    officer = TestClient(app, raise_server_exceptions=False)
    officer.post("/login", data={"email": OFFICER, "password": PASS, "csrf": token(officer)})
    answers = {
        "page": officer.get("/"),
        "csv": officer.get("/reports/partners.csv"),
        "xlsx": officer.get("/reports/partners.xlsx"),
        "svg": officer.get("/reports/matrix.svg"),
        "static": officer.get("/static/style.css"),
        "redirect": client(web).get("/", follow_redirects=False),
        "login": client(web).get("/login"),
        "404": officer.get("/no/such/page"),
        "static 404": officer.get("/static/none.css"),
        "413": officer.post(
            "/partners/1/note",
            content=b"x" * (600 * 1024),
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        "500": officer.get("/boom"),
    }
    assert answers["svg"].headers["content-type"].startswith("image/svg+xml") and answers["500"].status_code == 500
    for name, answer in answers.items():
        policy = answer.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in policy, name
        assert answer.headers.get("x-content-type-options") == "nosniff", name
        assert answer.headers.get("x-frame-options") == "DENY", name
    for name in ("csv", "xlsx", "svg", "static", "500"):
        policy = answers[name].headers["content-security-policy"]
        assert "default-src 'none'" in policy and "sandbox" in policy and "script" not in policy, name
    assert answers["csv"].headers["cache-control"] == "no-store"


# --- the audit log --------------------------------------------------------------------------


def test_the_audit_log_records_who_did_what_and_from_where(web, cli, tmp_path, uow, monkeypatch):
    monkeypatch.setenv("OUTREACH_DATA", str(web.data_dir))
    queue(uow, tmp_path, count=2)
    me = f"cli:{pwd.getpwuid(os.getuid()).pw_name}"
    app = create_app(web)
    desk = TestClient(app, client=("192.0.2.7", 40000))
    assert attempt(desk, "person0@partner0.test", "a guess").status_code == 401  # mentions a person, later forgotten
    assert attempt(desk, OFFICER, PASS).status_code == 303
    csrf = token(desk, "/campaigns")
    settings = campaign_settings(
        "web-audited",
        closed_port(),
        closed_port(),
        [
            {
                "name": "Nordhafen",
                "partnership_types": ["training"],
                "contacts": [{"name": "K", "email": "k@nordhafen.test"}],
            }
        ],
    )
    with web.uow() as unit:  # the administrator registered the mailbox; the upload names it by address
        register_mailbox(unit.session, settings)
        unit.commit()
    good = write_campaign(tmp_path, named(settings))
    assert (
        desk.post("/campaigns/queue", data={"csrf": csrf}, files={"file": ("c.yaml", good.read_bytes())}).status_code
        == 200
    )
    assert desk.get("/reports/partners.csv").status_code == 200
    partner_id = uow.session.scalar(sa.select(Partner.id).where(Partner.name == "Partner 0"))
    forgotten = desk.post(f"/partners/{partner_id}/forget", data={"csrf": csrf, "email": "person0@partner0.test"})
    assert forgotten.status_code == 200, forgotten.text
    desk.post("/logout", data={"csrf": token(desk, "/")})

    assert cli("users", "add", "jana@school.test", "--role", "viewer", stdin="a long pass phrase\n").code == 0
    assert cli("users", "role", "jana@school.test", "officer").code == 0
    assert cli("users", "password", "jana@school.test", stdin="another long phrase\n").code == 0
    assert cli("users", "remove", "jana@school.test").code == 0
    assert cli("partners", "export", tmp_path / "all.csv").code == 0
    assert cli("partners", "forget", "person1@partner1.test", "--yes").code == 0
    assert cli("web", "rotate-secret").code == 0

    listed = cli("audit", "--json", "--limit", "100")
    assert listed.code == 0
    rows = json.loads(listed.out)
    by_action = {}
    for row in rows:
        by_action.setdefault(row["action"], []).append(row)
    web_side = {"login": OFFICER, "campaign.upload": OFFICER, "export": OFFICER, "erasure": OFFICER, "logout": OFFICER}
    for action, actor in web_side.items():
        assert any(r["actor"] == actor and r["source"] == "192.0.2.7" for r in by_action[action]), action
    for action in ("user.add", "user.role", "user.password", "user.remove", "export", "erasure", "secret.rotate"):
        assert any(r["actor"] == me for r in by_action[action]), action
    assert "staff:unknown" not in listed.out
    assert by_action["login.failed"][0]["source"] == "192.0.2.7"
    assert (
        "person0@partner0.test" not in listed.out and "person1@partner1.test" not in listed.out
    )  # erasure is complete
    assert [r["subject"] for r in by_action["user.role"]] == ["jana@school.test"]
    assert rows[0]["action"] == "secret.rotate"  # newest first
    assert "secret.rotate" in cli("audit").out and len(json.loads(cli("audit", "--json", "--limit", "2").out)) == 2


def test_the_audit_page_is_for_administrators_only(web):
    officer = logged_in(web)
    refused = officer.get("/audit")
    assert refused.status_code == 403 and "administrators" in refused.text
    assert 'href="/audit"' not in officer.get("/").text
    officer.post("/logout", data={"csrf": token(officer, "/")})
    admin = logged_in(web, ADMIN)
    page = admin.get("/audit")
    listed = page.text.split("<tbody>", 1)[-1]
    assert page.status_code == 200 and 'href="/audit"' in page.text
    assert ">logout<" in listed and ">login<" in listed and ADMIN in listed
    only = admin.get("/audit?action=login&limit=abc").text.split("<tbody>", 1)[-1]
    assert ">login<" in only and ">logout<" not in only
    assert admin.get("/audit?limit=1").text.split("<tbody>", 1)[-1].count("<tr>") == 1
