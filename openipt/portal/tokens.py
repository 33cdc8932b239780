"""The secrets of the portal: link tokens, printed codes and how they are stored (hashed only)."""

from __future__ import annotations

import hashlib
import secrets

# No 0/O, 1/I/L: a code read off paper and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def new_link_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def new_code() -> str:
    """A 10-character code in two groups of five, e.g. "K7PQM-3XW9A" (about 50 bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(typed: str) -> str:
    """What the client typed, without spaces or dashes, upper case: "k7pqm 3xw9a" → "K7PQM3XW9A"."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def code_digest(typed: str) -> str:
    return digest("code:" + normalise_code(typed))
