"""OAuth 1.0a signature verification (ProviderConfig(auth="oauth1")): OneRoster 1.1's original security.

Two-legged: the consumer key is the client id, the consumer secret the client secret, no token.
authlib's server side does the work (parameter collection, timestamp window, nonce replay,
signature check). authlib ships HMAC-SHA1 only; HMAC-SHA256 is registered here as RFC 5849 §3.4.2's
HMAC over authlib's base string with SHA-256, written independently of the harness's signer
(oneroster_conformance/client/oauth1.py) so that a mistake in one is caught by the other.
It is the only method accepted, as 1.1 asks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time

from authlib.oauth1.rfc5849.base_server import BaseServer
from authlib.oauth1.rfc5849.errors import OAuth1Error
from authlib.oauth1.rfc5849.signature import generate_signature_base_string
from authlib.oauth1.rfc5849.util import escape
from authlib.oauth1.rfc5849.wrapper import OAuth1Request
from starlette.requests import Request

HMAC_SHA256 = "HMAC-SHA256"


def verify_hmac_sha256(request: OAuth1Request) -> bool:
    secret = request.client_secret
    if not secret:
        return False
    key = (escape(secret) + "&" + escape(request.token_secret or "")).encode()
    digest = hmac.new(key, generate_signature_base_string(request).encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), request.signature or "")


class _Consumer:
    def __init__(self, secret: str) -> None:
        self.secret = secret

    def get_client_secret(self) -> str:
        return self.secret

    def get_rsa_public_key(self) -> None:
        return None


class SignatureError(Exception):
    """The request is not signed by a known consumer: one sentence for the 401 body."""


class Verifier(BaseServer):
    SIGNATURE_METHODS = {**BaseServer.SIGNATURE_METHODS, HMAC_SHA256: verify_hmac_sha256}
    SUPPORTED_SIGNATURE_METHODS = [HMAC_SHA256]

    def __init__(self, secrets: dict[str, str]) -> None:
        self._secrets = secrets
        self._nonces: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    def get_client_by_id(self, client_id: str):
        secret = self._secrets.get(client_id)
        return _Consumer(secret) if secret is not None else None

    def exists_nonce(self, nonce: str, request: OAuth1Request) -> bool:
        key = (request.client_id or "", request.timestamp or "", nonce)
        now = time.time()
        with self._lock:
            if len(self._nonces) > 10_000:  # forget nonces past the timestamp window
                self._nonces = {k: t for k, t in self._nonces.items() if now - t < self.EXPIRY_TIME}
            if key in self._nonces:
                return True
            self._nonces[key] = now
        return False

    def verify(self, request: Request) -> str:
        """The consumer key of a correctly signed request; raises SignatureError otherwise."""
        headers = {"Authorization": request.headers.get("authorization", ""), "Host": request.headers.get("host", "")}
        try:
            oauth = OAuth1Request(request.method, str(request.url), None, headers)
        except (OAuth1Error, ValueError) as e:
            raise SignatureError(f"The request is not OAuth 1.0a signed: {e}.") from None
        client = self.get_client_by_id(oauth.client_id) if oauth.client_id else None
        if client is None:
            raise SignatureError("Unknown or missing oauth_consumer_key.")
        oauth.client = client
        try:
            self.validate_timestamp_and_nonce(oauth)
            self.validate_oauth_signature(oauth)
        except OAuth1Error as e:
            raise SignatureError(f"The OAuth 1.0a signature was refused: {e.error}.") from None
        return oauth.client_id
