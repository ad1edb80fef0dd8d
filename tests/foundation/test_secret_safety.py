"""No client secret and no access token reaches any file under reports/ or the terminal output.

The provider runs in this process so every token it issues can be recorded; the harness runs as a
user runs it (a subprocess, the secret in the environment), then every output is searched.
"""

from pathlib import Path

from oneroster_conformance import proof
from oneroster_conformance.harness import load_builtin_clients
from tests.support import issued_tokens


def test_no_secret_or_token_in_any_output(tmp_path):
    case = proof.Case("secret-safety", faults=("token-in-link",), breaks=frozenset({"auth/credentials-not-in-url"}))
    with issued_tokens() as issued:
        result = proof.run_case(case, tmp_path, proof.certificates(tmp_path),
                                ("--alluredir", str(tmp_path / "sec" / "reports" / "allure")))
    assert result.outcomes, result.error
    assert result.outcomes["auth/credentials-not-in-url"] == "fail"  # the fault leaks tokens into Link URLs
    secrets = [c.client_secret for c in load_builtin_clients().values()] + issued
    assert len(issued) >= 3
    outputs = [p for p in (tmp_path / "secret-safety").rglob("*") if p.is_file() and p.name != "profile.yaml"]
    assert any(p.name == "report.html" for p in outputs) and any(p.name == "terminal.txt" for p in outputs)
    leaks = [(p.name, s[:6]) for p in outputs for s in secrets if s in p.read_text(encoding="utf-8", errors="replace")]
    assert leaks == []


def test_reports_hold_masked_curl_lines(tmp_path):
    case = proof.Case("curl", faults=("endpoint-500",), breaks=frozenset({"operations/success"}))
    proof.run_case(case, tmp_path, proof.certificates(tmp_path))
    html = Path(tmp_path / "curl" / "reports" / "report.html").read_text(encoding="utf-8")
    assert "$ONEROSTER_TOKEN" in html and "curl" in html


def test_credential_holders_mask_their_secrets_in_every_printer():
    """hypothesis' pretty printer (falsifying examples) lists dataclass fields and ignores repr=False."""
    from hypothesis.vendor.pretty import pretty

    from oneroster_conformance.client.oauth import Token
    from oneroster_conformance.client.settings import ClientCredentials, Settings

    creds = ClientCredentials("client", "s3cr3t-value")
    settings = Settings(client_id="client", client_secret="s3cr3t-value", extra_clients={"x": creds})
    token = Token("t0ken-value", (), None, 0.0, None)
    for obj in (creds, settings, token, {"settings": settings, "token": token}):
        for text in (repr(obj), pretty(obj)):
            assert "s3cr3t-value" not in text and "t0ken-value" not in text, text
