"""Helpers for the Gradebook write tests: an in-process provider on its own fresh database (writes must
never touch the shared sample file the read tests use), tokens by scope, and record templates taken from
what the provider itself serves."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from oneroster_conformance.provider.app import create_app
from oneroster_conformance.provider.auth import load_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.spec.operations import (
    EVERY_READ_SCOPE,
    GRADEBOOK,
    SCOPE_PREFIX,
    SERVICE_ROOTS,
    WRITE_SCOPES,
    service_operations,
)

ROOT = SERVICE_ROOTS[GRADEBOOK]
ALL = EVERY_READ_SCOPE + WRITE_SCOPES
READ_ONLY = EVERY_READ_SCOPE
CREATEPUT, CREATEPOST, DELETE = (SCOPE_PREFIX + s for s in ("gradebook.createput", "gradebook.createpost",
                                                            "gradebook.delete"))
A_CREATEPUT, A_DELETE = SCOPE_PREFIX + "assessment.createput", SCOPE_PREFIX + "assessment.delete"
CLASS, OTHER_CLASS, LINE_ITEM, SCHOOL, TERM = ("cls-alg1-p1", "cls-alg1-p3", "li-cls-alg1-p1-1", "sch-north",
                                               "as-term-2025-fall")
ENROLLED, NOT_ENROLLED = "stu-0002", "stu-0046"  # a student of CLASS, and one who is not in it
# collection -> the single wrapper, first record served
SINGLE = {"categories": "category", "lineItems": "lineItem", "results": "result", "scoreScales": "scoreScale",
          "assessmentLineItems": "assessmentLineItem", "assessmentResults": "assessmentResult"}
WRITE_OPS = tuple(op for op in service_operations(GRADEBOOK) if op.method != "GET")


class WriteClient:
    """The reference provider in process, on a temporary database of its own."""

    def __init__(self, faults: tuple[str, ...] = (), **config) -> None:
        from starlette.testclient import TestClient

        self.config = ProviderConfig(faults=frozenset(faults), **config)
        self.app = create_app(self.config)
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self._tokens: dict[tuple[str, ...], str] = {}

    def token(self, scopes: tuple[str, ...] = ALL) -> str:
        if scopes not in self._tokens:
            secret = load_clients()["conformance-all"].client_secret
            r = self.client.post("/token", data={"grant_type": "client_credentials", "scope": " ".join(scopes)},
                                 auth=("conformance-all", secret))
            assert r.status_code == 200, r.text
            self._tokens[scopes] = r.json()["access_token"]
        return self._tokens[scopes]

    def request(self, method: str, path: str, body: Any = None, scopes: tuple[str, ...] = ALL,
                content: bytes | None = None, params: dict | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(scopes)}"}
        root = "" if path.startswith("/ims/") else ROOT
        if body is not None:
            return self.client.request(method, root + path, json=body, headers=headers, params=params)
        return self.client.request(method, root + path, content=content, headers=headers, params=params)

    def get(self, path: str, **params) -> httpx.Response:
        return self.request("GET", path, params=params or None)

    def put(self, collection: str, sid: str, record: dict, **kw) -> httpx.Response:
        return self.request("PUT", f"/{collection}/{sid}", {SINGLE[collection]: record}, **kw)

    def post(self, path: str, wrapper: str, records: list[dict], **kw) -> httpx.Response:
        return self.request("POST", path, {wrapper: records}, **kw)

    def delete(self, collection: str, sid: str, **kw) -> httpx.Response:
        return self.request("DELETE", f"/{collection}/{sid}", **kw)

    def one(self, collection: str, sid: str) -> dict | None:
        r = self.get(f"/{collection}/{sid}")
        if r.status_code == 404:
            return None
        assert r.status_code == 200, r.text
        return r.json()[SINGLE[collection]]

    def all(self, collection: str) -> list[dict]:
        """Every record of a collection, page by page."""
        out: list[dict] = []
        while True:
            r = self.get(f"/{collection}", limit=100, offset=len(out))
            assert r.status_code == 200, r.text
            page = r.json()[collection]
            out.extend(page)
            if len(page) < 100:
                return out

    def full_read(self) -> dict[str, list[dict]]:
        return {c: sorted(self.all(c), key=lambda r: r["sourcedId"]) for c in SINGLE}

    def template(self, collection: str, sid: str) -> dict:
        """A new record shaped like the first one served (absolute hrefs, no dateLastModified)."""
        rec = copy.deepcopy(self.get(f"/{collection}", limit=1).json()[collection][0])  # the sample's first
        rec.pop("dateLastModified", None)
        rec["sourcedId"] = sid
        return rec

    def ref(self, service: str, collection: str, ref_type: str, sid: str) -> dict[str, str]:
        return {"href": f"http://testserver{SERVICE_ROOTS[service]}/{collection}/{sid}", "sourcedId": sid,
                "type": ref_type}


def same_record(sent: dict, served: dict) -> list[str]:
    """Fields that differ between what was written and what reads back (dateLastModified is the server's)."""
    keys = (set(sent) | set(served)) - {"dateLastModified"}
    return sorted(k for k in keys if sent.get(k) != served.get(k))
