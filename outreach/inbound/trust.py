"""What an inbound message may change, given who it names as its sender and what proves it.
Pure: a standing, a kind and an authentication verdict in; a typed verdict out.

Anyone can put a partner's address in `From`. The school's receiving server tells whether
the partner's domain vouches for it (DMARC, or aligned DKIM or SPF: see
`outreach.inbound.authresults`). Without that:

- a sender who is not yet a contact changes nothing (no new contact, no phase move): staff
  are asked whether to add them;
- an opt-out or complaint holds the contact's mail at once (the safe direction) and waits for
  staff to confirm it before the address is suppressed;
- a known contact's answer that carries our Message-ID or reply token acts as before, but adds
  no contact (a colleague it names becomes a to-do); one that names only their address
  changes nothing until staff confirm it.

Where the mailbox names no authserv-id (nothing can be checked), known contacts are acted on
as before and a sender who is not yet a contact is treated as unproved.
"""

from __future__ import annotations

from enum import StrEnum

from outreach.inbound.authresults import Authentication
from outreach.inbound.kinds import Bounce, Classification, Complaint, Delayed, OptOut


class Standing(StrEnum):
    """Who the message is from, as matching found them."""

    ANSWER = "answer"  # a known contact, and the message carries our Message-ID or reply token
    CONTACT = "contact"  # a known contact, by the From address alone
    NEWCOMER = "newcomer"  # not a contact: someone at the partner's mail domain


class Verdict(StrEnum):
    ACT = "act"  # every effect of its kind
    ACT_WITHOUT_NEW_CONTACTS = "act_without_new_contacts"  # its effects, but no contact is added
    HOLD_OPT_OUT = "hold_opt_out"  # the contact's mail held; suppressed when staff confirm
    ASK_ABOUT_SENDER = "ask_about_sender"  # nothing changes; add them as a contact?
    STAFF_READ = "staff_read"  # nothing changes; staff read it and confirm

    @property
    def acts(self) -> bool:
        return self in (Verdict.ACT, Verdict.ACT_WITHOUT_NEW_CONTACTS)


def verdict(standing: Standing, result: Classification, proof: Authentication, vouched: bool = False) -> Verdict:
    """`vouched`: staff confirmed that the sender wrote it."""
    if vouched or proof.proved:
        return Verdict.ACT
    if isinstance(result, (OptOut, Complaint)) and (proof.configured or standing is Standing.NEWCOMER):
        return Verdict.HOLD_OPT_OUT
    if standing is Standing.NEWCOMER:
        return Verdict.ASK_ABOUT_SENDER
    if not proof.configured or isinstance(result, (Bounce, Delayed)):
        return Verdict.ACT  # as before: a report is proved by the Message-ID it returns, not by its From
    if standing is Standing.ANSWER:
        return Verdict.ACT_WITHOUT_NEW_CONTACTS
    return Verdict.STAFF_READ
