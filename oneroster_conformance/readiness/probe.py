"""Call what a consumer reads, with that consumer's credentials, once per run.

A profile client named after the consumer (``clients: {claris: {client_id, client_secret}}``) is that
consumer's API record; without one, the run's own credentials stand in (and the result says so).
Answers are cached so the served and the populated checks of one operation share one request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from oneroster_conformance.client.oauth import TokenError
from oneroster_conformance.client.settings import ClientCredentials
from oneroster_conformance.readiness.consumers import Consumer
from oneroster_conformance.spec.operations import Operation, by_id

PAGE = 100  # records read per collection: enough to judge the fields, polite on a district server


@dataclass
class Answer:
    op: Operation | None
    path: str  # the operation's path as a district admin reads it (/terms, /classes/{classSourcedId}/students)
    reply: object | None = None  # the Reply, None when the operation could not be called
    records: list[dict] | None = None  # the records of a 200 answer under the operation's wrapper
    reason: str = ""  # why it was not called


class Readiness:
    def __init__(self, harness) -> None:
        self.harness = harness
        self._answers: dict[tuple[str, str], Answer] = {}
        self._connected: dict[str, str | None] = {}
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- credentials
    def credentials(self, consumer: Consumer) -> tuple[ClientCredentials, bool]:
        """(credentials, whether they are the consumer's own profile client)."""
        s = self.harness.settings
        own = s.extra_clients.get(consumer.name)
        if own is None:
            return s.credentials(), False
        # The record's id and secret, asking for the run's scopes (none on 1.1).
        return ClientCredentials(own.client_id, own.client_secret, s.scopes), True

    def connect(self, consumer: Consumer) -> str | None:
        """None when the consumer's credentials are accepted, else what the provider answered."""
        with self._lock:
            if consumer.name in self._connected:
                return self._connected[consumer.name]
        creds, _ = self.credentials(consumer)
        problem: str | None = None
        if self.harness.settings.auth == "oauth1":
            probe = next(o for o in self.harness.operations if o.is_collection and not o.path_params)
            reply = self.harness.client.get(probe.path, {"limit": 1}, creds=creds)
            if reply.error or reply.status == 401:
                problem = reply.error or "401 to a signed request"
        else:
            try:
                self.harness.client.tokens.token(creds, creds.scopes)
            except TokenError as e:
                reply = e.reply
                body = reply.json_or_none() if reply is not None else None
                error = body.get("error") if isinstance(body, dict) else None
                problem = (reply.error or f"{reply.status}{' ' + error if error else ''}") if reply is not None \
                    else str(e)
        with self._lock:
            self._connected[consumer.name] = problem
        return problem

    # ---------------------------------------------------------------- operations
    def answer(self, consumer: Consumer, operation_id: str) -> Answer:
        key = (consumer.name, operation_id)
        with self._lock:
            cached = self._answers.get(key)
        if cached is None:
            cached = self._call(consumer, operation_id)
            with self._lock:
                cached = self._answers.setdefault(key, cached)
        return cached

    def _call(self, consumer: Consumer, operation_id: str) -> Answer:
        try:
            op = by_id(operation_id, self.harness.binding)
        except KeyError:
            return Answer(None, operation_id, reason=f"{operation_id} is not an operation of {self.harness.binding}")
        if self.connect(consumer) is not None:
            return Answer(op, op.path, reason="the consumer's credentials were refused (judged by "
                                              "readiness/consumer-connects)")
        ids = self.harness.crawl.ids_for(op)
        if ids is None:
            return Answer(op, op.path, reason=f"no id to call {op.path} with: the collections its ids come from "
                                              "returned no records to the run's own credentials")
        creds, _ = self.credentials(consumer)
        params = {"limit": PAGE} if op.is_collection else None
        reply = self.harness.client.get(op.url_path(**ids), params, creds=creds)
        records = None
        if reply.status == 200 and not reply.error:
            body = reply.json_or_none()
            value = body.get(op.wrapper) if isinstance(body, dict) else None
            if isinstance(value, dict):
                value = [value]
            if value is None and body == {}:
                value = []
            records = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else None
        return Answer(op, op.path, reply, records)
