"""The server under test, as one object with one seam.

Suites never know whether they talk to a real URL over TLS or to the embedded reference provider:
they get a Harness with a client, the binding's operation catalogue and the shared crawl.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar
from urllib.parse import urlsplit

from oneroster_conformance import plain_call
from oneroster_conformance.client import evidence
from oneroster_conformance.client.http import OneRosterClient
from oneroster_conformance.client.oauth import Token, TokenError, oauth_error
from oneroster_conformance.client.settings import ClientCredentials, Settings
from oneroster_conformance.client.token_negotiation import Negotiated, TokenRefused, negotiate
from oneroster_conformance.data.crawl import Crawl
from oneroster_conformance.data.relations import RELATIONS, SINGLE_SOURCE
from oneroster_conformance.resources import fixtures_dir, load_yaml
from oneroster_conformance.spec.operations import (
    SCOPE_PREFIX,
    SCOPE_PREFIXES,
    Operation,
    operations,
    read_operations,
    rostering_scopes,
    short_scope,
)

T = TypeVar("T")


@dataclass
class Sample:
    op: Operation
    reply: object | None  # Reply, or None when the operation could not be called
    ids: dict[str, str] | None
    reason: str = ""


class PreflightError(Exception):
    """The run cannot start: one plain sentence, no traceback, nothing reported as non-conformant."""


@dataclass
class Harness:
    settings: Settings
    provider: object | None = None  # RunningProvider when embedded
    client: OneRosterClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = OneRosterClient(self.settings)
        self._samples: dict[str, Sample] = {}
        self._scoped: dict[str, tuple | str] = {}
        self._lock = threading.Lock()
        self._expiring: tuple[Token, float] | None = None
        self.negotiated: Negotiated | None = None  # how preflight got the run's token
        self._once: dict[object, object] = {}

    @property
    def binding(self) -> str:
        return self.settings.binding or "v1p2"

    @cached_property
    def operations(self) -> tuple[Operation, ...]:
        """Rostering's operations, then the GETs of each other service profile offered (or required)."""
        from oneroster_conformance.certificate import unit_of

        return tuple(op for op in read_operations(self.binding, self.settings.checked_services)
                     if unit_of(op) is None or self.checks(unit_of(op)))

    def checks(self, unit: str) -> bool:
        """Whether the operations of a profile are checked: offered, or required by the user."""
        offer = self.offers.get(unit)
        return offer is not None and (offer.offered or offer.required)

    @cached_property
    def offers(self) -> dict:
        """What the provider offers of the Gradebook, Assessment Results and Resources profiles (found once)."""
        from oneroster_conformance.services import detect

        return detect(self)

    @cached_property
    def crawl(self) -> Crawl:
        max_records = None if self.settings.sweep_mode == "full" else self.settings.sample_records
        # The crawled records are spilled to an on-disk SQLite store (the crawl's own; closed with it).
        return Crawl(self.client, self.operations, max_records=max_records, workers=self.settings.workers,
                     page_size=self.settings.page_size, binding=self.binding)

    def once(self, key: object, fn: Callable[[], T]) -> T:
        """``fn()`` computed once per run and shared by every check that asks with the same key: a
        probe several checks judge (an error answer, a scope cell, a page) costs one request."""
        with self._lock:
            if key in self._once:
                return self._once[key]  # type: ignore[return-value]
        value = fn()
        with self._lock:
            return self._once.setdefault(key, value)  # type: ignore[return-value]

    def sample(self, op: Operation) -> Sample:
        """One real call of the operation (ids from the crawl), made once and shared by every check.

        The exchange is recorded as evidence of whichever check asks."""
        with self._lock:
            cached = self._samples.get(op.operation_id)
        if cached is None:
            cached = self._fetch_sample(op)
            with self._lock:
                self._samples.setdefault(op.operation_id, cached)
        if cached.reply is not None:
            evidence.record(cached.reply.exchange)
        return cached

    def _fetch_sample(self, op: Operation) -> Sample:
        if op.is_collection and not op.path_params:
            data = self.crawl.collection(op.operation_id)
            if data.first is not None:
                return Sample(op, data.first, {})
        ids = self.crawl.ids_for(op)
        if ids is None:
            parents = set(RELATIONS[op.operation_id].parent.values()) if op.operation_id in RELATIONS else set()
            sources = ", ".join(sorted(({SINGLE_SOURCE.get(op.operation_id, "")} | parents) - {""}))
            return Sample(op, None, None, f"no id to call it with: {sources} returned no usable records")
        return Sample(op, self.plain(op, ids), ids)

    def plain(self, op: Operation, ids: dict[str, str]):
        """The operation's plain call (no query), shared with a scope cell (plain_call.py)."""
        return plain_call.plain(self, op, ids)

    def scope_cell(self, scope: str, op: Operation, ask: Callable[[], T]) -> T:
        """A scope cell's reply, asked once: the operation's plain call may already have asked it."""
        return self.once(plain_call.cell_key(scope, op), ask)

    def answered_with_data(self, operation_id: str) -> bool | None:
        """Whether the operation's sample call answered 200 with records (None: it was never called)."""
        with self._lock:
            sample = self._samples.get(operation_id)
        if sample is None or sample.reply is None:
            return None
        body = sample.reply.json_or_none()
        if sample.reply.status != 200 or not isinstance(body, dict):
            return False
        value = body.get(sample.op.wrapper)
        return bool(value) if sample.op.is_collection else isinstance(value, dict)

    def broken(self, op: Operation) -> str | None:
        """Why the operation cannot be used by checks that build on it (None: it works).

        An operation that does not answer 200 to a plain call is judged by operations/success
        (and discovery/operations-served); the checks that build on it are not applicable."""
        sample = self.sample(op)
        if sample.reply is None:
            return sample.reason
        if sample.reply.status != 200 or sample.reply.error:
            return f"{op.operation_id} answered {sample.reply.error or sample.reply.status} to a plain call " \
                   "(judged by operations/success)"
        return None

    @cached_property
    def discovery(self) -> tuple[str, object, bool]:
        """(file name, reply, whether it needed a token) of the provider's discovery file: the binding's
        name first, then the certification guide's (spec/discovery.py); the first 200 answer, else the
        binding name's reply."""
        from oneroster_conformance.spec.discovery import DISCOVERY_FILES

        first = None
        for name in DISCOVERY_FILES.values():
            url = f"{self.settings.base_url}/{name}"
            reply = self.client.once("GET", url, token=False)
            needed_token = reply.status in (401, 403)
            if needed_token:
                reply = self.client.once("GET", url)
            if reply.status == 200:
                return name, reply, needed_token
            first = first or (name, reply, needed_token)
        assert first is not None
        return first

    @cached_property
    def discovery_listing(self) -> frozenset[str] | None:
        """operationIds the provider's own discovery file lists (None: no usable discovery file)."""
        if self.binding != "v1p2":
            return None
        _, reply, _ = self.discovery
        doc = reply.json_or_none() if reply.status == 200 else None
        if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
            return None
        return frozenset(spec.get("operationId") for item in doc["paths"].values() if isinstance(item, dict)
                         for spec in item.values() if isinstance(spec, dict) and spec.get("operationId"))

    def scoped(self, scope: str) -> tuple[ClientCredentials, tuple[str, ...]] | str:
        """Credentials and scopes giving a token that holds ``scope`` alone, or why none can be had.

        First the run's own client asks the token endpoint for that scope alone; where the provider
        cannot issue it, a profile client holding exactly that scope is used."""
        if self.scope_matrix_reason:
            return self.scope_matrix_reason
        with self._lock:
            if scope in self._scoped:
                return self._scoped[scope]
        answer: tuple[ClientCredentials, tuple[str, ...]] | str
        main = self.settings.credentials()
        candidates = [main] + [c for c in self.settings.extra_clients.values() if tuple(c.scopes) == (scope,)]
        answer = f"neither the run's client nor a profile client could get a token for {short_scope(scope)} alone"
        for creds in candidates:
            try:
                token = self.client.tokens.token(creds, (scope,))
            except TokenError:
                continue
            granted = set(token.granted.split()) if token.granted else {scope}
            if granted == {scope}:
                answer = (creds, (scope,))
                break
            answer = f"a token for {short_scope(scope)} alone was asked for, but the provider granted {sorted(granted)}"
        with self._lock:
            self._scoped[scope] = answer
        return answer

    def expiring_token(self) -> tuple[Token, float]:
        """A token of the profile's short-lived client (else of the run's own) and its lifetime in s.

        Fetched once, as early as possible (start_expiry_clock): its expiry then passes while the
        other checks run, instead of being slept through by the check that needs it expired."""
        with self._lock:
            if self._expiring is None:
                creds = self.settings.extra_clients.get("conformance-short-lived") or self.settings.credentials()
                token = self.client.tokens.fetch(creds, creds.scopes)
                self._expiring = (token, token.expires_at - time.monotonic())
            return self._expiring

    def start_expiry_clock(self) -> None:
        """Fetch the short-lived token now, when the profile has a short-lived client (best effort:
        a failure is met again, and reported, by the check itself)."""
        if "conformance-short-lived" in self.settings.extra_clients and getattr(self.settings, "auth", "") != "oauth1":
            with contextlib.suppress(TokenError):
                self.expiring_token()

    def close(self) -> None:
        if "crawl" in self.__dict__:  # only if it was ever used
            self.crawl.close()
        self.client.close()
        if self.provider is not None:
            self.provider.stop()

    # ---------------------------------------------------------------- preflight
    def preflight(self) -> None:
        s = self.settings
        if s.auth != "oauth1":  # OAuth 1.0a signs each request: there is no token to get
            self._first_token()
        refused = []
        for op in [o for o in operations(self.binding) if o.is_collection and not o.path_params][:4]:
            reply = self.client.get(op.path, {"limit": 1})
            if reply.error:
                raise PreflightError(_unreachable(s.base_url or "", reply.error))
            if reply.status == 200 and reply.json_or_none() is not None:
                _ = self.offers  # what the other services offer is known before the crawl starts
                return
            if reply.status == 200 or "html" in reply.content_type:
                raise PreflightError(f"{s.base_url}{op.path} answered HTML, not JSON: is the base URL the service "
                                     "root (…/ims/oneroster/rostering/v1p2)?")
            if reply.status == 404:
                raise PreflightError(f"{s.base_url}{op.path} answered 404: is the base URL the service root "
                                     "(…/ims/oneroster/rostering/v1p2 or …/ims/oneroster/v1p1)?")
            refused.append(f"{op.path} {reply.status}")
        if s.auth == "oauth1" and all(r.endswith(" 401") for r in refused):
            raise PreflightError("the provider refused every OAuth 1.0a signed request (401): check the consumer "
                                 "key and secret, and whether the provider expects OAuth 2 (drop --auth oauth1).")
        raise PreflightError("the provider accepted the token but refused every collection tried ("
                             + ", ".join(refused) + "): check the client's permissions (scopes) on the provider.")

    def _first_token(self) -> None:
        """Get the run's token; where the provider breaks a token-endpoint rule, recover and remember it."""
        s, tokens = self.settings, self.client.tokens
        try:
            done = negotiate(tokens, s.credentials(), binding=self.binding, scopes_given=s.scopes_given)
        except TokenRefused as e:
            raise PreflightError(str(e)) from None
        tokens.auth_style, tokens.method = done.style, done.method
        s.scopes = done.scopes  # what the provider granted the run's client (after a scope recovery)
        tokens.remember(s.credentials(), done.token)
        self.negotiated = done

    @property
    def notes(self) -> list[str]:
        """What the run does differently from what was configured, one sentence each (the header line)."""
        return [r.sentence for r in self.negotiated.recoveries] if self.negotiated else []

    def auth_meta(self) -> dict:
        """How the run authenticates, for the results header (no secret: ids of scopes and ways only)."""
        s, done = self.settings, self.negotiated
        if s.auth == "oauth1" or done is None:
            return {"scheme": s.auth}
        source = "given" if s.scopes_given else "default"
        if done.recovery("no-scope", "fewer-scopes"):
            source = "recovered"
        return {"scheme": "oauth2", "client_authentication": "basic" if done.style == "basic" else "form-body",
                "token_method": done.method, "scopes_requested": list(done.scopes), "scopes_source": source,
                "scopes_granted": done.token.granted, "recoveries": self.notes,
                "summary": "; ".join(self.notes) or None}

    @cached_property
    def scope_matrix_reason(self) -> str | None:
        """Why the scope checks do not apply to this run (None: they do).

        1.2 requires scopes. On 1.1 they apply where the provider uses the 1.1 scopes: its token
        response names the scopes granted, or it refuses a token request without scope."""
        s = self.settings
        if s.auth == "oauth1":
            return "requests are OAuth 1.0a signed: there are no OAuth 2 scopes"
        if self.binding == "v1p2":
            return None
        done = self.negotiated
        if done is None:
            return "no token was issued"
        if done.recovery("no-scope"):
            return "the provider refused the 1.1 scope URIs, so the run's tokens carry no scope"
        if done.token.granted:
            return None
        reply = self.client.tokens.request(s.credentials(), ())
        if reply.status in (400, 401) and oauth_error(reply) == "invalid_scope":
            return None
        return ("the provider issues tokens without a scope request and names no scope in its token responses: it "
                "does not use the 1.1 scopes")


# OpenSSL's verification failures, in the words a person can act on.
TLS_CAUSES = (
    ("self-signed certificate in certificate chain", "its certificate chain ends in a self-signed CA this machine "
                                                     "does not trust"),
    ("self-signed certificate", "its TLS certificate is self-signed"),
    ("self signed certificate", "its TLS certificate is self-signed"),
    ("unable to get local issuer certificate", "its TLS certificate was issued by a CA this machine does not know"),
    ("unable to get issuer certificate", "its TLS certificate was issued by a CA this machine does not know"),
    ("certificate has expired", "its TLS certificate has expired"),
    ("hostname mismatch", "its TLS certificate is for another host name"),
    ("ip address mismatch", "its TLS certificate is for another address"),
)


def tls_sentence(error: str) -> str | None:
    """The cause of a certificate failure and the option that fixes it, or None when it is not one."""
    low = error.lower()
    if "certificate_verify_failed" not in low and "certificate verify failed" not in low:
        return None
    cause = next((words for key, words in TLS_CAUSES if key in low), "its TLS certificate did not verify")
    if "expired" in cause or "another" in cause:
        return f"{cause}: the provider must fix it (--insecure skips verification and reports transport as failed)"
    return (f"{cause}: pass the CA's certificate with --ca-bundle FILE.pem (or set SSL_CERT_FILE); "
            "--insecure skips verification and reports transport as failed")


def _unreachable(url: str, error: str) -> str:
    p = urlsplit(url)
    return f"cannot reach {p.scheme}://{p.netloc}: {tls_sentence(error) or error}"


def embedded_settings(settings: Settings) -> tuple[Settings, object]:
    """Start the reference provider on a free loopback port and point the settings at it."""
    from oneroster_conformance.client.configure import apply_binding_defaults
    from oneroster_conformance.provider.config import ProviderConfig
    from oneroster_conformance.provider.server import serve_in_thread

    settings.binding = settings.binding or ("v1p1" if settings.only_v1p1 else "v1p2")
    provider = serve_in_thread(ProviderConfig(faults=frozenset(settings.embedded_faults), binding=settings.binding,
                                              flavour=settings.embedded_flavour, auth=settings.auth))
    apply_binding_defaults(settings)
    clients = load_builtin_clients(settings.embedded_flavour, settings.scopes, settings.binding)
    main = clients["conformance-all"]
    settings.base_url = provider.base_url
    settings.token_url = provider.token_url
    settings.client_id, settings.client_secret = main.client_id, main.client_secret
    settings.embedded = True
    settings.rate_limit = 0  # our own server on loopback: no need to be polite
    settings.extra_clients = {k: v for k, v in clients.items() if k != "conformance-all"}
    return settings, provider


def load_builtin_clients(flavour: str | None = None, scopes: tuple[str, ...] = (),
                         binding: str = "v1p2") -> dict[str, ClientCredentials]:
    """The reference provider's built-in clients by name (the Aeries flavour's API records by key); on
    1.1 the clients' scopes are the 1.1 URIs of the same scopes."""
    if flavour == "aeries":
        from oneroster_conformance.provider.aeries import builtin_credentials

        scopes = scopes or rostering_scopes("v1p1")  # Aeries requires at least one scope in a token request
        return {k: ClientCredentials(cid, secret, scopes) for k, (cid, secret, _) in builtin_credentials().items()}
    doc = load_yaml(fixtures_dir() / "clients.yaml")
    items = doc.get("clients", doc) if isinstance(doc, dict) else doc
    out = {}
    if isinstance(items, dict):
        items = [{"client_id": k, **v} for k, v in items.items()]
    for c in items:
        scopes = c.get("scopes", [])
        if isinstance(scopes, str):
            scopes = scopes.split()
        scopes = [SCOPE_PREFIXES[binding] + short_scope(s) if s.startswith(SCOPE_PREFIX) else s for s in scopes]
        out[c["client_id"]] = ClientCredentials(c["client_id"], c["client_secret"], tuple(scopes))
    return out
