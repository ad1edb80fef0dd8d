"""Fixtures for the reference provider's own tests.

One sample database is built per session and shared read-only by every app (faults act at query
and serialisation time, never on the stored data). The clean provider runs once over real HTTP
(serve_in_thread); fault variants run in-process through Starlette's TestClient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from oneroster_conformance.provider.app import create_app
from oneroster_conformance.provider.auth import load_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import RunningProvider, serve_in_thread
from oneroster_conformance.spec.operations import ALL_SCOPES, SERVICE_ROOT
from tests.support import per_faults

ROOT = SERVICE_ROOT["v1p2"]


def pytest_configure(config: pytest.Config) -> None:
    # Starlette 1.x nudges TestClient users towards httpx2; the in-process client is all we need here.
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient` is deprecated")


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("provider") / "sample.sqlite")
    create_app(ProviderConfig(db_path=path)).state.provider.store.close()  # builds the file once
    return path


@pytest.fixture(scope="session")
def provider(sample_db: str) -> Iterator[RunningProvider]:
    with serve_in_thread(ProviderConfig(db_path=sample_db)) as running:
        yield running


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def request_token(client: httpx.Client, token_url: str, client_id: str, scopes=ALL_SCOPES) -> httpx.Response:
    secret = load_clients()[client_id].client_secret
    return client.post(token_url, data={"grant_type": "client_credentials", "scope": " ".join(scopes)},
                       auth=(client_id, secret))


@pytest.fixture(scope="session")
def ask_token() -> Callable[..., httpx.Response]:
    """request_token(client, token_url, client_id, scopes=ALL_SCOPES) as a fixture."""
    return request_token


@pytest.fixture(scope="session")
def token(provider: RunningProvider, http: httpx.Client) -> str:
    response = request_token(http, provider.token_url, "conformance-all")
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture(scope="session")
def api(provider: RunningProvider, http: httpx.Client, token: str) -> Callable[..., httpx.Response]:
    """GET a path under the service root of the clean provider with an all-scopes token."""

    def get(path: str, params=None, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return http.get(provider.base_url + path, params=params, headers=headers, **kwargs)

    return get


class FaultClient:
    """An in-process provider with some faults on, plus a token for every scope."""

    def __init__(self, sample_db: str, faults: tuple[str, ...], **config) -> None:
        from starlette.testclient import TestClient

        self.config = ProviderConfig(faults=frozenset(faults), db_path=sample_db, **config)
        self.client = TestClient(create_app(self.config), raise_server_exceptions=False)
        self._token: str | None = None

    def token_response(self, client_id: str = "conformance-all", scopes=ALL_SCOPES, **kwargs) -> httpx.Response:
        secret = load_clients()[client_id].client_secret
        data = {"grant_type": "client_credentials", "scope": " ".join(scopes)}
        return self.client.post("/token", data=data, auth=(client_id, secret), **kwargs)

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self.token_response().json()["access_token"]
        return self._token

    def get(self, path: str, params=None, token: str | None = None, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token}", **kwargs.pop("headers", {})}
        return self.client.get(ROOT + path, params=params, headers=headers, **kwargs)


@pytest.fixture(scope="session")
def faulty(sample_db: str) -> Callable[..., FaultClient]:
    return per_faults(lambda faults, **config: FaultClient(sample_db, faults, **config))
