"""OAuth 1.0a request signing (OneRoster 1.1's original security: two-legged, HMAC-SHA256).

Signing is authlib's (RFC 5849 base string, parameter normalisation, nonce, timestamp, header
rendering); authlib ships HMAC-SHA1 only, so HMAC-SHA256 is registered here as the same HMAC over
authlib's base string with SHA-256. The reference provider verifies with authlib's server side and
its own, independently written registration (oneroster_conformance/provider/oauth1.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from authlib.oauth1 import ClientAuth
from authlib.oauth1.rfc5849.signature import generate_signature_base_string
from authlib.oauth1.rfc5849.util import escape

from oneroster_conformance.client.masking import MASKER

HMAC_SHA256 = "HMAC-SHA256"


def hmac_sha256(base_string: str, client_secret: str | None, token_secret: str | None = None) -> str:
    """RFC 5849 §3.4.2 with SHA-256: key = escape(client secret) & escape(token secret)."""
    key = f"{escape(client_secret or '')}&{escape(token_secret or '')}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_hmac_sha256(client, request) -> str:
    return hmac_sha256(generate_signature_base_string(request), client.client_secret, client.token_secret)


class _Signer(ClientAuth):
    # A subclass, so registering HMAC-SHA256 does not change authlib's class for anyone else.
    SIGNATURE_METHODS = {**ClientAuth.SIGNATURE_METHODS, HMAC_SHA256: sign_hmac_sha256}


def authorization(client_id: str, client_secret: str, method: str, url: str,
                  signature_method: str = HMAC_SHA256) -> str:
    """The 'Authorization: OAuth ...' value signing one request (no body: OneRoster reads are GETs)."""
    MASKER.register(client_secret)
    signer = _Signer(client_id, client_secret, signature_method=signature_method)
    _, headers, _ = signer.sign(method, url, {}, b"")
    return headers["Authorization"]
