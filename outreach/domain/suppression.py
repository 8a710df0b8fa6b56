"""The suppression list keeps a hash of each address, so an erased person leaves no address behind."""

from __future__ import annotations

import hashlib


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()
