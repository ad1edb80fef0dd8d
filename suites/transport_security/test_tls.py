"""Security Framework › Transport Security: TLS 1.2+ only, with a valid certificate."""

import socket
import ssl
import warnings
from urllib.parse import urlsplit

import pytest

from oneroster_conformance.checks import HarnessError, expect, fail, not_applicable, observe


def _endpoint(harness) -> tuple[str, int]:
    p = urlsplit(harness.settings.base_url)
    return p.hostname, p.port or (443 if p.scheme == "https" else 80)


def _https_only(harness) -> None:
    if urlsplit(harness.settings.base_url).scheme != "https":
        not_applicable("the target is not https (judged by transport/tls-required)")


def _handshake(host: str, port: int, context: ssl.SSLContext, timeout: float) -> str:
    with socket.create_connection((host, port), timeout=timeout) as sock, \
            context.wrap_socket(sock, server_hostname=host) as tls:
        return tls.version() or "unknown"


def _verifying_context(harness) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=harness.settings.ca_bundle) if harness.settings.ca_bundle \
        else ssl.create_default_context()
    return ctx


@pytest.mark.requirement("transport/tls-required")
def test_transport_tls_required(harness):
    scheme = urlsplit(harness.settings.base_url).scheme
    if scheme == "https":
        return
    if harness.settings.embedded:
        not_applicable("the embedded reference provider runs on loopback without TLS")
    # The evidence: a request for data, sent and answered in the clear.
    collection = next((op for op in harness.operations if op.is_collection and not op.path_params), None)
    if collection is not None:
        harness.client.get(collection.path, {"limit": 1})
    fail(f"the service is served over {scheme}, not TLS", expected="https", actual=scheme)


@pytest.mark.requirement("transport/tls-version")
def test_transport_tls_version(harness):
    _https_only(harness)
    host, port = _endpoint(harness)
    ctx = _verifying_context(harness)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # version only; the certificate is judged on its own
    try:
        version = _handshake(host, port, ctx, harness.settings.timeout)
    except OSError as e:
        raise HarnessError(f"TLS handshake with {host}:{port} failed: {e}") from None
    expect(version in ("TLSv1.2", "TLSv1.3"), f"negotiated {version}", expected="TLSv1.2 or TLSv1.3",
           actual=version)
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
    try:
        with warnings.catch_warnings():  # offering the deprecated versions is the point of this probe
            warnings.simplefilter("ignore", DeprecationWarning)
            old.minimum_version, old.maximum_version = ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1
        old.set_ciphers("DEFAULT:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        observe("this machine's OpenSSL cannot offer TLS 1.0/1.1, so refusal of old versions was not probed")
        return
    try:
        legacy = _handshake(host, port, old, harness.settings.timeout)
    except ssl.SSLError as e:
        if "no protocols available" in str(e).lower():
            observe("this machine's OpenSSL cannot offer TLS 1.0/1.1, so refusal of old versions was not probed")
        return  # refused: as required
    except OSError:
        return
    fail(f"the server accepted a {legacy} handshake", expected="TLS 1.0 / 1.1 refused", actual=legacy)


@pytest.mark.requirement("transport/certificate-valid")
def test_transport_certificate_valid(harness):
    _https_only(harness)
    host, port = _endpoint(harness)
    try:
        _handshake(host, port, _verifying_context(harness), harness.settings.timeout)
    except ssl.SSLCertVerificationError as e:
        fail(f"the certificate of {host} does not verify: {e.verify_message}", expected="a certificate the trust "
             "store accepts for this host name (use --ca-bundle for a district CA)", actual=e.verify_message)
    if harness.settings.insecure:
        observe("--insecure was given: requests did not verify certificates, this check did")
