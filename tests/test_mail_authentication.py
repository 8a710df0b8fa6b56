"""Reading Authentication-Results (RFC 8601) as real receiving servers write it, and what a
message whose From could not be proved may change. Pure: no server, no database."""

from __future__ import annotations

import time

import pytest

from outreach.inbound.authresults import Dmarc, aligns, authenticate, authentication_of, organisational_domain, parse
from outreach.inbound.kinds import Bounce, Complaint, OptOut, Reply
from outreach.inbound.message import InboundMessage
from outreach.inbound.trust import Standing, Verdict, verdict

# As Gmail writes it (mx.google.com), for a signed message from a domain with p=reject.
GMAIL_PASS = """mx.google.com;
       dkim=pass header.i=@partner.example header.s=20230601 header.b=Xo8kp3Q1;
       spf=pass (google.com: domain of k.becker@partner.example designates 192.0.2.25 as permitted sender) smtp.mailfrom=k.becker@partner.example;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=partner.example"""
# Gmail, for a forged message: not signed, from an address SPF does not allow.
GMAIL_FORGED = """mx.google.com;
       spf=fail (google.com: domain of k.becker@partner.example does not designate 198.51.100.7 as permitted sender) smtp.mailfrom=k.becker@partner.example;
       dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from=partner.example"""
# Microsoft 365 (Exchange Online Protection) writes no authserv-id at all.
MICROSOFT_365 = """spf=pass (sender IP is 192.0.2.25)
 smtp.mailfrom=partner.example; dkim=pass (signature was verified)
 header.d=partner.example;dmarc=pass action=none
 header.from=partner.example;compauth=pass reason=100"""
# Fastmail: one authserv-id per receiving host, results with policy properties and x- methods.
FASTMAIL = """mx6.messagingengine.com;
    dkim=pass (2048-bit rsa key sha256) header.d=partner.example header.i=@partner.example header.b=Tq7tWv2n header.a=rsa-sha256 header.s=fm2 x-bits=2048;
    dmarc=pass policy.published-domain-policy=reject policy.published-subdomain-policy=reject policy.applied-disposition=none policy.evaluated-disposition=none (p=reject,sp=reject,d=none,d.eval=none) policy.policy-from=p header.from=partner.example;
    iprev=pass smtp.remote-ip=192.0.2.25 (mail.partner.example);
    spf=pass smtp.mailfrom=k.becker@partner.example smtp.helo=mail.partner.example;
    x-aligned-from=pass (Address match);
    x-me-sender=none;
    x-return-mx=pass header.domain=partner.example policy.is_org=yes (MX Records found: mx.partner.example);
    x-tls=pass smtp.version=TLSv1.3 smtp.cipher=TLS_AES_256_GCM_SHA384 smtp.bits=256/256;
    x-vs=clean score=-100 state=0"""
# OpenDKIM 2.11 and OpenDMARC 1.4 as milters of Postfix, as tests/test_real_mail_authentication.py
# gets them: one field each, the same authserv-id (SPF as OpenDMARC writes it when it checks SPF).
OPENDKIM_PASS = """mx.school.test;
	dkim=pass (1024-bit key) header.d=partner.example header.i=@partner.example header.a=rsa-sha256 header.s=test header.b=OqOTHdGw;
	dkim-atps=neutral"""
OPENDKIM_NONE = "mx.school.test; dkim=none; dkim-atps=neutral"
OPENDMARC_PASS = "mx.school.test; dmarc=pass (p=reject dis=none) header.from=partner.example"
OPENDMARC_FAIL = "mx.school.test; dmarc=fail (p=reject dis=none) header.from=partner.example"
OPENDMARC_SPF_FAIL = "mx.school.test; spf=fail smtp.mailfrom=partner.example"

OURS = ["mx.school.test"]
FROM = ["partner.example"]


def test_gmail_as_the_school_receiving_server():
    passed = authenticate([GMAIL_PASS], ["mx.google.com"], FROM)
    assert passed.proved and passed.read and passed.dmarc is Dmarc.PASS
    assert passed.dkim == ("partner.example",) and passed.spf == "partner.example" and passed.aligned
    forged = authenticate([GMAIL_FORGED], ["mx.google.com"], FROM)
    assert not forged.proved and forged.read and forged.dmarc is Dmarc.FAIL and forged.dkim == () and forged.spf is None
    assert "DMARC fail" in forged.describe() and "no DKIM signature passed" in forged.describe()


def test_fastmail_names_each_receiving_host_so_a_list_is_configured():
    assert authenticate([FASTMAIL], ["mx6.messagingengine.com", "mx7.messagingengine.com"], FROM).proved
    assert not authenticate([FASTMAIL], ["mx7.messagingengine.com"], FROM).read


def test_opendkim_and_opendmarc_write_one_field_each_and_both_are_read():
    both = authenticate([OPENDMARC_PASS, OPENDKIM_PASS], OURS, FROM)
    assert both.proved and both.dmarc is Dmarc.PASS and both.dkim == ("partner.example",)
    forged = authenticate([OPENDMARC_SPF_FAIL, OPENDMARC_FAIL, OPENDKIM_NONE], OURS, FROM)
    assert forged.read and not forged.proved and forged.dmarc is Dmarc.FAIL


def test_microsoft_365_writes_no_authserv_id_so_its_field_is_read_but_never_believed():
    field = parse(MICROSOFT_365)
    assert field.authserv_id is None
    assert [(r.method, r.result, r.domain) for r in field.results][:3] == [
        ("spf", "pass", "partner.example"),
        ("dkim", "pass", "partner.example"),
        ("dmarc", "pass", "partner.example"),
    ]
    verdict_ = authenticate([MICROSOFT_365], ["outlook.com"], FROM)
    assert not verdict_.read and not verdict_.proved and verdict_.ignored == (None,)


def test_a_field_written_by_another_server_is_ignored():
    """An attacker writes his own Authentication-Results, naming his own server or any other."""
    his = "mx.attacker.example; dkim=pass header.d=partner.example; dmarc=pass header.from=partner.example"
    result = authenticate([his], OURS, FROM)
    assert not result.read and not result.proved and result.ignored == ("mx.attacker.example",)
    assert "no Authentication-Results of mx.school.test" in result.describe()


@pytest.mark.parametrize(
    "forged",
    [
        "mx.school.test; dmarc=pass header.from=partner.example",  # beside our dmarc=fail
        "MX.School.Test; dkim=pass header.d=partner.example",  # beside our dkim=none
        "mx.school.test 1; spf=pass smtp.mailfrom=partner.example",  # beside our spf=fail
    ],
)
def test_a_forged_field_naming_our_server_that_ours_contradicts_makes_neither_believed(forged):
    ours = [OPENDMARC_SPF_FAIL, OPENDMARC_FAIL, OPENDKIM_NONE]
    for fields in ([*ours, forged], [forged, *ours]):
        result = authenticate(fields, OURS, FROM)
        assert not result.read and not result.proved and "disagree" in result.why


def test_the_same_result_twice_is_no_conflict():
    assert authenticate([OPENDMARC_PASS, OPENDMARC_PASS, OPENDKIM_PASS], OURS, FROM).proved


def test_a_dmarc_pass_for_another_domain_proves_nothing_about_this_from():
    other = "mx.school.test; dmarc=pass header.from=attacker.example"
    assert not authenticate([other], OURS, FROM).proved


@pytest.mark.parametrize(
    "fields, proved, aligned",
    [
        (["mx.school.test; dkim=pass header.d=mail.partner.example"], True, True),  # relaxed: a subdomain signs
        (["mx.school.test; dkim=pass header.d=attacker.example"], False, False),  # someone else's signature
        (["mx.school.test; spf=pass smtp.mailfrom=bounces@mail.partner.example"], True, True),
        (["mx.school.test; spf=pass smtp.mailfrom=bounces@mailer.example"], False, False),  # a mailing service's own
        (["mx.school.test; spf=none; dkim=none; dmarc=none header.from=partner.example"], False, False),
        # DMARC failed (strict alignment, say) though a subdomain's signature passed: DMARC wins
        (
            ["mx.school.test; dkim=pass header.d=mail.partner.example; dmarc=fail header.from=partner.example"],
            False,
            True,
        ),
        (["mx.school.test; dkim=fail header.d=partner.example"], False, False),
        (["mx.school.test; dkim=pass header.i=@partner.example"], True, True),  # only header.i given
    ],
)
def test_aligned_dkim_or_spf_proves_the_from_where_dmarc_did_not_fail(fields, proved, aligned):
    result = authenticate(fields, OURS, FROM)
    assert (result.proved, result.aligned) == (proved, aligned), result


def test_the_organisational_domain_comes_from_the_public_suffix_list():
    assert organisational_domain("mail.partner.example") == "partner.example"
    assert organisational_domain("staff.college.ac.uk") == "college.ac.uk"
    assert aligns("mail.college.ac.uk", "college.ac.uk")
    assert not aligns("other.ac.uk", "college.ac.uk")  # last-two-labels would call both "ac.uk"
    assert not aligns("partner.co.uk", "attacker.co.uk")
    passed = authenticate(["mx.school.test; dkim=pass header.d=other.ac.uk"], OURS, ["college.ac.uk"])
    assert not passed.proved


@pytest.mark.parametrize("domains", [[], ["partner.example", "attacker.example"]])
def test_a_message_without_one_from_domain_is_never_proved(domains):
    result = authenticate([OPENDMARC_PASS, OPENDKIM_PASS], OURS, domains)
    assert not result.proved and result.why


def test_without_an_authserv_id_nothing_is_checked():
    result = authenticate([GMAIL_PASS], None, FROM)
    assert not result.configured and not result.proved
    assert "names no authserv-id" in result.describe()
    assert not authenticate([GMAIL_PASS], ["", "  "], FROM).configured


@pytest.mark.parametrize(
    "value",
    [
        "mx.school.test; dkim=pass " + "(" * 5000 + ")" * 5000 + " header.d=partner.example",  # nested comments
        "mx.school.test (" + "a\\" * 8000,  # a comment never closed
        'mx.school.test; dkim=pass header.d="' + "a" * 16000,  # a quote never closed
        "mx.school.test; " + "; ".join(f"dkim=pass header.d=d{i}.example" for i in range(5000)),
        ";;;(((",
        "",
        "mx.school.test; dmarc=pass header.from=пример.испытание",
    ],
)
def test_hostile_fields_cost_little_and_never_raise(value):
    started = time.perf_counter()
    result = authenticate([value] * 3, OURS, FROM)
    assert time.perf_counter() - started < 2
    assert not result.proved


def test_read_from_a_whole_message_top_first():
    raw = (
        b"Authentication-Results: mx.school.test;\r\n dmarc=fail (p=reject dis=none) header.from=partner.example\r\n"
        b"Received: from mail.attacker.example (198.51.100.7) by mx.school.test\r\n"
        b"Authentication-Results: mx.school.test; dmarc=pass header.from=partner.example\r\n"
        b"From: Klaus Becker <k.becker@partner.example>\r\nTo: vet@school.test\r\nSubject: Unsubscribe\r\n\r\n"
        b"Please remove me.\r\n"
    )
    result = authentication_of(InboundMessage.parse(raw), OURS)
    assert not result.proved and "disagree" in result.why
    two_froms = (
        f"Authentication-Results: {OPENDMARC_PASS}\r\nFrom: k.becker@partner.example\r\n"
        "From: boss@attacker.example\r\nSubject: Hi\r\n\r\nHello\r\n"
    ).encode()
    assert not authentication_of(InboundMessage.parse(two_froms), OURS).proved
    one = f"Authentication-Results: {OPENDMARC_PASS}\r\nFrom: k.becker@partner.example\r\n\r\nHello\r\n".encode()
    assert authentication_of(InboundMessage.parse(one), OURS).as_json()["proved"] is True


# --- what an unproved message may change -------------------------------------------------------

PROVED = authenticate([OPENDMARC_PASS], OURS, FROM)
FAILED = authenticate([OPENDMARC_FAIL], OURS, FROM)
UNCHECKED = authenticate([OPENDMARC_PASS], None, FROM)


@pytest.mark.parametrize(
    "standing, result, proof, expected",
    [
        # proved: everything acts, a newcomer becomes a contact
        (Standing.NEWCOMER, Reply(), PROVED, Verdict.ACT),
        (Standing.CONTACT, OptOut(), PROVED, Verdict.ACT),
        # a sender who is not a contact changes nothing unproved, checked or not
        (Standing.NEWCOMER, Reply(), FAILED, Verdict.ASK_ABOUT_SENDER),
        (Standing.NEWCOMER, Reply(), UNCHECKED, Verdict.ASK_ABOUT_SENDER),
        (Standing.NEWCOMER, OptOut(), UNCHECKED, Verdict.HOLD_OPT_OUT),
        # an unproved opt-out or complaint only holds mail
        (Standing.ANSWER, OptOut(), FAILED, Verdict.HOLD_OPT_OUT),
        (Standing.CONTACT, OptOut(), FAILED, Verdict.HOLD_OPT_OUT),
        (Standing.ANSWER, Complaint(), FAILED, Verdict.HOLD_OPT_OUT),
        # a known contact's answer to our mail acts, but adds nobody
        (Standing.ANSWER, Reply(), FAILED, Verdict.ACT_WITHOUT_NEW_CONTACTS),
        # by their address alone: nothing until staff confirm
        (Standing.CONTACT, Reply(), FAILED, Verdict.STAFF_READ),
        # a bounce is proved by the Message-ID it returns, not by who it is from
        (Standing.ANSWER, Bounce(), FAILED, Verdict.ACT),
        # nothing checked (no authserv-id): known contacts as before
        (Standing.CONTACT, Reply(), UNCHECKED, Verdict.ACT),
        (Standing.CONTACT, OptOut(), UNCHECKED, Verdict.ACT),
    ],
)
def test_what_a_message_may_change(standing, result, proof, expected):
    assert verdict(standing, result, proof) is expected


def test_staff_vouching_for_the_sender_lets_it_act():
    assert verdict(Standing.NEWCOMER, Reply(), FAILED, vouched=True) is Verdict.ACT
    assert verdict(Standing.CONTACT, OptOut(), FAILED, vouched=True) is Verdict.ACT


def test_the_it_person_checks_a_saved_message_with_inbound_classify(cli_no_db, tmp_path):
    import json

    saved = tmp_path / "opt-out.eml"
    saved.write_bytes(
        (
            f"Authentication-Results: {OPENDMARC_FAIL}\r\nAuthentication-Results: {OPENDKIM_NONE}\r\n"
            "From: k.becker@partner.example\r\nSubject: Unsubscribe\r\n\r\nPlease remove me.\r\n"
        ).encode()
    )
    checked = cli_no_db("inbound", "classify", str(saved), "--authserv-id", "mx.school.test", "--json")
    assert checked.code == 0
    [result] = json.loads(checked.out)
    assert result["kind"] == "opt_out"
    assert result["authentication"] == {
        "configured": True,
        "read": True,
        "proved": False,
        "from_domain": "partner.example",
        "dmarc": "fail",
        "dkim": [],
        "spf": None,
        "aligned": False,
        "why": None,
    }
    wrong_id = cli_no_db("inbound", "classify", str(saved), "--authserv-id", "mx.other.test")
    assert wrong_id.code == 0 and "no Authentication-Results of mx.other.test" in " ".join(wrong_id.out.split())
