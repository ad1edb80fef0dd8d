"""Keep secrets out of every output.

Every client secret, access token and Basic credential the run learns is registered here; all
evidence, curl lines, messages and reports pass through ``mask`` before they are written.
"""

from __future__ import annotations

import base64
import re
import threading

MASK = "***"
_SENSITIVE_PARAMS = re.compile(
    r"((?:access_token|client_secret|token|password|secret)=)([^&\s\"'<>]+)", re.IGNORECASE
)
_AUTH_VALUE = re.compile(r"((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
SENSITIVE_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie"}


class Masker:
    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def register(self, *values: str | None) -> None:
        with self._lock:
            for v in values:
                if v and len(v) >= 4:
                    self._secrets.add(v)

    def register_basic(self, client_id: str, secret: str) -> None:
        self.register(secret, base64.b64encode(f"{client_id}:{secret}".encode()).decode())

    def mask(self, text: str) -> str:
        if not text:
            return text
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for s in secrets:
            if s in text:
                text = text.replace(s, MASK)
        text = _AUTH_VALUE.sub(lambda m: m.group(1) + MASK, text)
        return _SENSITIVE_PARAMS.sub(lambda m: m.group(1) + MASK, text)

    def headers(self, headers) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in headers.items():
            out[k] = MASK if k.lower() in SENSITIVE_HEADERS else self.mask(v)
        return out

    def contains_secret(self, text: str) -> str | None:
        """The first registered secret found in text (for the security-finding checks)."""
        with self._lock:
            secrets = list(self._secrets)
        return next((s for s in secrets if s in text), None)


def pretty_repr(obj: object, printer, cycle: bool) -> None:
    """``_repr_pretty_`` for objects holding credentials: hypothesis' pretty printer (falsifying examples)
    lists every dataclass field and ignores ``field(repr=False)``; this makes it use the masked repr."""
    printer.text(repr(obj))


# One masker per process: the plugin, the client and the reports all share it.
MASKER = Masker()
