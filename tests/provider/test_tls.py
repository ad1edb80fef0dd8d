"""HTTPS with trustme certificates: TLS 1.2+ served, TLS 1.1 refused (unless the tls-legacy fault)."""

from __future__ import annotations

import socket
import ssl
import warnings

import httpx
import pytest

from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import serve_in_thread
from oneroster_conformance.spec.operations import DISCOVERY_FILE

trustme = pytest.importorskip("trustme")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    return ca, str(certfile), str(keyfile)


def _handshake(host: str, port: int, ca, maximum: ssl.TLSVersion) -> str:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        # A client willing to speak old versions, so a refusal is the server's doing.
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = maximum
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with socket.create_connection((host, port), timeout=10) as raw, ctx.wrap_socket(raw, server_hostname=host) as tls:
        return tls.version()


def test_https_serves_tls12_and_refuses_tls11(certificate, sample_db) -> None:
    ca, certfile, keyfile = certificate
    with serve_in_thread(ProviderConfig(db_path=sample_db), certfile=certfile, keyfile=keyfile) as running:
        assert running.base_url.startswith("https://127.0.0.1:")
        assert running.token_url.startswith("https://")
        ctx = ssl.create_default_context()
        ca.configure_trust(ctx)
        with httpx.Client(verify=ctx) as client:
            response = client.get(f"{running.base_url}/{DISCOVERY_FILE}")
            assert response.status_code == 200
            assert response.json()["servers"][0]["url"] == running.base_url
        assert _handshake(running.host, running.port, ca, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
        assert _handshake(running.host, running.port, ca, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
        with pytest.raises(ssl.SSLError):
            _handshake(running.host, running.port, ca, ssl.TLSVersion.TLSv1_1)
        with pytest.raises(httpx.HTTPError):  # a client that does not trust the CA
            httpx.get(f"{running.base_url}/{DISCOVERY_FILE}")


def test_tls_legacy_fault_accepts_tls11(certificate, sample_db) -> None:
    ca, certfile, keyfile = certificate
    config = ProviderConfig(db_path=sample_db, faults=frozenset({"tls-legacy"}))
    with serve_in_thread(config, certfile=certfile, keyfile=keyfile) as running:
        assert _handshake(running.host, running.port, ca, ssl.TLSVersion.TLSv1_1) == "TLSv1.1"
