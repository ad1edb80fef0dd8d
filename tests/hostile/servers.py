"""Hostile servers: the reference provider wrapped in an ASGI layer that misbehaves on purpose.

Only the users collection misbehaves (so the token endpoint and preflight still work and the run
goes on), except where a case is about the token endpoint itself. Loopback addresses only.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

import uvicorn

from oneroster_conformance.provider.app import create_app
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import bind_socket, uvicorn_config

ROOT = "/ims/oneroster/rostering/v1p2"


class Recorder:
    """A second loopback host (127.0.0.2) that records what reaches it (for the redirect case)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        self.requests.append({k.decode(): v.decode() for k, v in scope["headers"]})
        await _send(send, 200, b'{"users": []}', b"application/json")


async def _send(send, status: int, body: bytes, ctype: bytes, headers: list | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class Hostile:
    def __init__(self, app, kind: str, other_origin: str = "") -> None:
        self.app, self.kind, self.other_origin = app, kind, other_origin

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(f"{ROOT}/users"):
            return await self.app(scope, receive, send)
        kind = self.kind
        if kind == "malformed-json":
            return await _send(send, 200, b'{"users": [{"sourcedId": "u1", ', b"application/json")
        if kind == "html-login":
            return await _send(send, 200, b"<html><body><form>Sign in</form></body></html>", b"text/html")
        if kind == "wrong-content-type":
            return await _send(send, 200, b'{"users": []}', b"text/plain")
        if kind == "redirect-other-host":
            return await _send(send, 302, b"", b"text/plain", [(b"location", f"{self.other_origin}/steal".encode())])
        if kind == "hang":
            await asyncio.sleep(30)
            return await _send(send, 200, b'{"users": []}', b"application/json")
        if kind in ("huge-body", "never-ending"):
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": b'{"users": [', "more_body": True})
            chunk = b'{"sourcedId": "x"},' * 5000
            sent, deadline = 0, time.monotonic() + 30
            while sent < 2_000_000_000 and time.monotonic() < deadline:  # 2 GB, or 30 s, whichever first
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                sent += len(chunk)
                if kind == "never-ending":
                    await asyncio.sleep(0.2)
            return await send({"type": "http.response.body", "body": b"]}"})
        if kind == "endless-link":
            body = json.dumps({"users": [{"sourcedId": "loop"}]}).encode()
            link = f'<{self.other_origin or ""}{ROOT}/users?limit=1&offset=0>; rel="next"'.encode()
            return await _send(send, 200, body, b"application/json", [(b"link", link), (b"x-total-count", b"1000000")])
        if kind == "echo-authorization":
            headers = dict((k.decode(), v.decode()) for k, v in scope["headers"])
            body = json.dumps({"users": [], "debug": {"authorization": headers.get("authorization", "")}}).encode()
            return await _send(send, 200, body, b"application/json",
                               [(b"x-echo-authorization", headers.get("authorization", "").encode())])
        return await self.app(scope, receive, send)


class Served:
    def __init__(self, app, host: str = "127.0.0.1") -> None:
        self._sock = bind_socket(host, 0)
        self.origin = f"http://{host}:{self._sock.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn_config(app, ProviderConfig(), None, None))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._server.force_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


def hostile_provider(kind: str, other_origin: str = "", config: ProviderConfig | None = None) -> Served:
    return Served(Hostile(create_app(config or ProviderConfig()), kind, other_origin))
