"""Connector credentials at rest: sealed with the master key (Fernet: AES-128-CBC with an
HMAC-SHA256, so a changed byte is refused, not decrypted into garbage). The master key comes from
the environment (JIXIAO_MASTER_KEY) in production and from instance/master_key in embedded mode;
credentials are never logged and never returned to anyone, only their masked form."""

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


class SealBroken(RuntimeError):
    """The stored credentials do not open with this master key (a changed key, a changed row)."""


def _fernet() -> Fernet:
    return Fernet(current_app.config["MASTER_KEY"])


def seal(values: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(values, ensure_ascii=False).encode()).decode()


def unseal(token: str) -> dict[str, Any]:
    try:
        return dict(json.loads(_fernet().decrypt(token.encode())))
    except InvalidToken:
        raise SealBroken("the connector's credentials do not open with this master key") from None


def masked(value: str) -> str:
    """What the admin sees of a secret they entered: its last four characters at most."""
    return "••••" + value[-4:] if len(value) > 8 else "••••"
