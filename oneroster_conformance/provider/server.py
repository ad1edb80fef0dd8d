"""Run the reference provider on a loopback port in a background thread (tests, the embedded default)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
import warnings
from types import TracebackType

import uvicorn

from oneroster_conformance.provider.app import create_app, service_root_path, token_path
from oneroster_conformance.provider.config import ProviderConfig

START_TIMEOUT = 10.0


def uvicorn_config(app, config: ProviderConfig, certfile: str | None, keyfile: str | None,
                   **kwargs) -> uvicorn.Config:
    """A loaded uvicorn config; with a certificate, TLS 1.2 is the minimum version (1.0 with tls-legacy)."""
    uc = uvicorn.Config(app, ssl_certfile=certfile, ssl_keyfile=keyfile, log_level="warning", access_log=False,
                        lifespan="off", **kwargs)
    uc.load()
    if uc.ssl is not None:
        if config.has("tls-legacy"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # deprecated is the point of the fault
                uc.ssl.minimum_version = ssl.TLSVersion.TLSv1
            uc.ssl.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL refuses TLS 1.0/1.1 at higher levels
        else:
            uc.ssl.minimum_version = ssl.TLSVersion.TLSv1_2
    return uc


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket with TCP_NODELAY, which accepted connections inherit: without it, small
    responses wait ~40 ms for delayed ACKs (Nagle) on every request."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


class RunningProvider:
    def __init__(self, config: ProviderConfig, host: str, port: int, certfile: str | None,
                 keyfile: str | None) -> None:
        if (certfile is None) != (keyfile is None):
            raise ValueError("certfile and keyfile go together")
        self.config = config
        self.app = create_app(config)
        self._sock = bind_socket(host, port)
        self.host, self.port = host, self._sock.getsockname()[1]
        scheme = "https" if certfile else "http"
        shown = f"[{host}]" if ":" in host else host
        self.origin = f"{scheme}://{shown}:{self.port}"
        self.base_url = self.origin + service_root_path(config)
        self.token_url = self.origin + token_path(config)
        self._server = uvicorn.Server(uvicorn_config(self.app, config, certfile, keyfile))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name=f"oneroster-provider-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the reference provider failed to start")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the reference provider did not start within {START_TIMEOUT:.0f} s")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=START_TIMEOUT)
        with contextlib.suppress(OSError):
            self._sock.close()
        self.app.state.provider.store.close()

    def __enter__(self) -> RunningProvider:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<RunningProvider {self.base_url}>"


def serve_in_thread(config: ProviderConfig, host: str = "127.0.0.1", port: int = 0, certfile: str | None = None,
                    keyfile: str | None = None) -> RunningProvider:
    """Start uvicorn on a free loopback port and return once it accepts connections."""
    return RunningProvider(config, host, port, certfile, keyfile)
