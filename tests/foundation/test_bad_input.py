"""Bad configuration gets one plain sentence and a distinct exit status, never a traceback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SUITE = """
import pytest

@pytest.mark.requirement("operations/base-path")
def test_probe(harness):
    pass
"""


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status, body, ctype):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        token = json.dumps({"access_token": "abc123abc123", "token_type": "bearer", "expires_in": 3600})
        if self.path.startswith("/scope-token"):  # refuses every scope, and a request without one
            return self._send(400, json.dumps({"error": "invalid_scope"}), "application/json")
        if self.path.startswith("/noscope-token"):  # a 1.1 server that knows no scopes at all
            if "scope=" in body:
                return self._send(400, json.dumps({"error": "invalid_scope"}), "application/json")
            return self._send(200, token, "application/json")
        if self.path.startswith("/html-token"):
            return self._send(200, "<html><body>Sign in</body></html>", "text/html")
        if self.path.startswith("/token"):
            return self._send(200, json.dumps({"access_token": "abc123abc123", "token_type": "bearer",
                                               "expires_in": 3600}), "application/json")
        if self.path.startswith("/denied-token"):
            return self._send(401, json.dumps({"error": "invalid_client"}), "application/json")
        return self._send(404, "not found", "text/plain")

    def do_GET(self):
        if "/ims/oneroster/v1p1/" in self.path:
            return self._send(200, json.dumps({"academicSessions": []}), "application/json")
        return self._send(200, "<html><body>Welcome to the portal</body></html>", "text/html")


@pytest.fixture(scope="module")
def odd_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def run(pytester, *args):
    pytester.makepyfile(test_suite=SUITE)
    return pytester.runpytest_subprocess(*args, "-p", "no:cacheprovider", timeout=60)


def one_sentence(result, expected: str):
    text = result.stdout.str() + result.stderr.str()
    assert expected in text, text
    assert "Traceback" not in text, text


def test_unreachable_host(pytester):
    r = run(pytester, "--base-url", "http://127.0.0.1:9/ims/oneroster/rostering/v1p2", "--client-id", "x",
            "--client-secret", "y")
    assert r.ret == 6
    one_sentence(r, "cannot reach http://127.0.0.1:9: connection refused")


def test_token_url_answers_404(pytester, odd_server):
    r = run(pytester, "--base-url", f"{odd_server}/ims/oneroster/rostering/v1p2", "--token-url",
            f"{odd_server}/nowhere", "--client-id", "x", "--client-secret", "y")
    assert r.ret == 6
    one_sentence(r, f"the token endpoint {odd_server}/nowhere answered 404: pass the right --token-url.")


def test_token_url_answers_html(pytester, odd_server):
    r = run(pytester, "--base-url", f"{odd_server}/ims/oneroster/rostering/v1p2", "--token-url",
            f"{odd_server}/html-token", "--client-id", "x", "--client-secret", "y")
    assert r.ret == 6
    one_sentence(r, "answered HTML, not a token: pass the right --token-url.")


def test_bad_secret(pytester, odd_server):
    r = run(pytester, "--base-url", f"{odd_server}/ims/oneroster/rostering/v1p2", "--token-url",
            f"{odd_server}/denied-token", "--client-id", "x", "--client-secret", "wrong-secret-value")
    assert r.ret == 6
    # Basic was refused, so the form body was tried once: the sentence names both attempts.
    one_sentence(r, "the token endpoint refused the client credentials with HTTP Basic (401 invalid_client) and in "
                 "the form body (401 invalid_client): check the client id and secret")
    assert "wrong-secret-value" not in r.stdout.str() + r.stderr.str()


def test_scopes_refused_is_not_blamed_on_the_secret(pytester, odd_server):
    r = run(pytester, "--base-url", f"{odd_server}/ims/oneroster/rostering/v1p2", "--token-url",
            f"{odd_server}/scope-token", "--client-id", "x", "--client-secret", "y")
    assert r.ret == 6
    one_sentence(r, "the token endpoint refused the token request for the scopes roster.readonly, "
                 "roster-core.readonly, roster-demographics.readonly (400 invalid_scope)")
    one_sentence(r, "pass the scopes this client holds with --scope.")
    assert "client id and secret" not in r.stdout.str()


def test_given_scope_refused_names_it(pytester, odd_server):
    r = run(pytester, "--base-url", f"{odd_server}/ims/oneroster/v1p1", "--token-url", f"{odd_server}/scope-token",
            "--client-id", "x", "--client-secret", "y", "--scope", "https://example.org/scope/special.read")
    assert r.ret == 6
    one_sentence(r, "refused the token request for the scopes special.read (400 invalid_scope): check --scope")


def test_1p1_provider_without_scopes_runs_without_them(pytester, odd_server):
    r = run(pytester, "--base-url", f"{odd_server}/ims/oneroster/v1p1", "--token-url", f"{odd_server}/noscope-token",
            "--client-id", "x", "--client-secret", "y")
    assert r.ret == 0, r.stdout.str()
    one_sentence(r, "the token endpoint refused the scopes roster.readonly, roster-core.readonly, "
                 "roster-demographics.readonly (400 invalid_scope); the run asks for tokens without scope")


def test_empty_scope_option(pytester, monkeypatch):
    monkeypatch.setenv("ONEROSTER_SCOPES", "  ")
    r = run(pytester, "--base-url", "https://sis.example.org/ims/oneroster/v1p1", "--client-id", "x",
            "--client-secret", "y")
    assert r.ret == 4
    one_sentence(r, "is empty: name at least one scope")


def test_base_url_answers_html(pytester, odd_server):
    r = run(pytester, "--base-url", f"{odd_server}/ims/oneroster/rostering/v1p2", "--token-url",
            f"{odd_server}/token", "--client-id", "x", "--client-secret", "y")
    assert r.ret == 6
    one_sentence(r, "answered HTML, not JSON: is the base URL the service root")


def test_base_url_without_version_path(pytester):
    r = run(pytester, "--base-url", "https://sis.example.org/api", "--client-id", "x", "--client-secret", "y")
    assert r.ret == 4
    one_sentence(r, "does not end with a OneRoster service root")


def test_missing_client_secret(pytester, monkeypatch):
    monkeypatch.delenv("ONEROSTER_CLIENT_SECRET", raising=False)
    r = run(pytester, "--base-url", "https://sis.example.org/ims/oneroster/rostering/v1p2", "--client-id", "x")
    assert r.ret == 4
    one_sentence(r, "--client-secret missing")


def test_profile_with_unknown_key(pytester):
    pytester.makefile(".yaml", profile="base_url: https://sis.example.org/ims/oneroster/rostering/v1p2\nbase_ulr: x\n")
    r = run(pytester, "--profile", "profile.yaml")
    assert r.ret == 4
    one_sentence(r, "has unknown key(s) base_ulr")


def test_profile_with_wrong_type(pytester):
    pytester.makefile(".yaml", profile="rate_limit: fast\n")
    r = run(pytester, "--profile", "profile.yaml")
    assert r.ret == 4
    one_sentence(r, "'rate_limit' 'fast' is not a number")


def test_environment_supplies_settings(pytester, monkeypatch):
    monkeypatch.setenv("ONEROSTER_BASE_URL", "http://127.0.0.1:9/ims/oneroster/rostering/v1p2")
    monkeypatch.setenv("ONEROSTER_CLIENT_ID", "x")
    monkeypatch.setenv("ONEROSTER_CLIENT_SECRET", "y-secret-from-env")
    r = run(pytester)
    assert r.ret == 6
    one_sentence(r, "cannot reach http://127.0.0.1:9")


def test_collect_only_contacts_nobody_and_keeps_the_last_report(pytester):
    # Listing the checks against an unreachable host: no preflight, no verdict, no report written.
    r = run(pytester, "--collect-only", "--base-url", "http://127.0.0.1:9/ims/oneroster/rostering/v1p2",
            "--client-id", "x", "--client-secret", "y", "--report-dir", "reports")
    assert r.ret == 0, r.stdout.str()
    text = r.stdout.str()
    assert "test_probe" in text and "CONFORMANT" not in text and "cannot reach" not in text
    assert not (pytester.path / "reports").exists()
