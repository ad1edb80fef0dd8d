"""In-process 1.1 providers (Starlette's TestClient) for the provider-level tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from oneroster_conformance.provider.app import create_app
from oneroster_conformance.provider.config import ProviderConfig
from tests.support import per_faults


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient` is deprecated")


class Aeries:
    """The Aeries-flavoured 1.1 provider in-process, with helpers to act as one of its API records."""

    def __init__(self, db: str, faults: tuple[str, ...] = (), **config) -> None:
        from starlette.testclient import TestClient

        # A fault that changes the stored roster gets a database of its own (the shared one stays clean).
        self.config = ProviderConfig(binding="v1p1", flavour="aeries", faults=frozenset(faults),
                                     db_path=None if faults else db, **config)
        self.client = TestClient(create_app(self.config), raise_server_exceptions=False)
        self.root = "/admin/ims/oneroster/v1p1"

    def token_response(self, key: str = "conformance-all", scopes=None, **kwargs):
        """A token request as Aeries documents it: at least one scope (the three 1.1 rostering ones)."""
        from oneroster_conformance.provider.aeries import builtin_credentials
        from oneroster_conformance.spec.operations import rostering_scopes

        cid, secret, _ = builtin_credentials()[key]
        data = {"grant_type": "client_credentials"}
        scopes = rostering_scopes("v1p1") if scopes is None else scopes
        if scopes:
            data["scope"] = " ".join(scopes)
        return self.client.post("/admin/token/", data=data, auth=(cid, secret), **kwargs)

    def get(self, path: str, key: str = "conformance-all", params=None):
        token = self.token_response(key).json()["access_token"]
        return self.client.get(self.root + path, params=params, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="session")
def aeries_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("aeries") / "v1p1.sqlite")
    create_app(ProviderConfig(binding="v1p1", flavour="aeries", db_path=path)).state.provider.store.close()
    return path


@pytest.fixture(scope="session")
def aeries(aeries_db: str) -> Callable[..., Aeries]:
    return per_faults(lambda faults, **config: Aeries(aeries_db, faults, **config))
