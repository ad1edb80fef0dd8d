"""The harness survives hostile servers: the affected checks fail or error with a clear message, the
run ends in bounded time with bounded memory, nothing leaks, and the token never goes to another host.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from oneroster_conformance.harness import load_builtin_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.resources import suites_dir

from .servers import ROOT, Recorder, Served, hostile_provider

# Checks that read the users collection, or everything that runs over the first page of it.
SELECT = "operations and (getAllUsers or getUser) or errors_status_info or pagination_window"
BOUND_S = 120


def run_harness(tmp_path: Path, origin: str, *extra: str) -> tuple[subprocess.CompletedProcess, dict, float]:
    clients = load_builtin_clients()
    main = clients["conformance-all"]
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({"max_body_bytes": 1_000_000, "timeout": 2, "clients": {
        n: {"client_id": c.client_id, "client_secret": c.client_secret, "scopes": list(c.scopes)}
        for n, c in clients.items() if n != "conformance-all"}}), encoding="utf-8")
    args = [sys.executable, "-m", "pytest", str(suites_dir()), "--base-url", f"{origin}{ROOT}", "--token-url",
            f"{origin}/token", "--client-id", main.client_id, "--profile", str(profile), "--rate-limit", "0",
            "--sweep", "full", "--report-dir", str(tmp_path / "reports"), "-q", "-p", "no:cacheprovider",
            "--hypothesis-profile", "quick", "-k", SELECT, *extra]
    env = {**os.environ, "ONEROSTER_CLIENT_SECRET": main.client_secret, "CI": "true"}
    started = time.monotonic()
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=BOUND_S + 60, cwd=tmp_path)
    elapsed = time.monotonic() - started
    results = {}
    path = tmp_path / "reports" / "results.jsonl"
    if path.exists():
        for line in path.read_text().splitlines():
            d = json.loads(line)
            if d.get("type") == "result":
                results[d["nodeid"].split("::")[-1]] = d
    return proc, results, elapsed


def outcome(results: dict, test: str) -> dict:
    return next(v for k, v in results.items() if k.startswith(test))


CASES = {
    "malformed-json": "not JSON",
    "html-login": "an HTML page",
    "wrong-content-type": "text/plain",
    "hang": "no answer within 2 s",
    "huge-body": "body larger than 1000000 bytes",
    "never-ending": "reading stopped",
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_broken_users_collection_fails_that_check_and_the_run_goes_on(tmp_path, kind):
    server = hostile_provider(kind)
    try:
        proc, results, elapsed = run_harness(tmp_path, server.origin)
    finally:
        server.stop()
    assert elapsed < BOUND_S, f"the run took {elapsed:.0f} s"
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    broken = outcome(results, "test_operations_") if kind != "wrong-content-type" else \
        outcome(results, "test_operations_content_type[getAllUsers]")
    relevant = [r for k, r in results.items() if "getAllUsers" in k and r["outcome"] in ("fail", "errored")]
    assert relevant, f"no check failed on the hostile users collection: {broken}"
    assert any(CASES[kind] in r["message"] for r in relevant), [r["message"][:200] for r in relevant]
    # other operations were still checked
    assert any(r["outcome"] == "pass" for k, r in results.items() if "getAllClasses" in k or "getUser" in k)


def test_redirect_to_another_host_never_carries_the_token(tmp_path):
    recorder = Recorder()
    other = Served(recorder, host="127.0.0.2")
    server = hostile_provider("redirect-other-host", other_origin=other.origin)
    try:
        proc, results, elapsed = run_harness(tmp_path, server.origin)
    finally:
        server.stop()
        other.stop()
    assert elapsed < BOUND_S
    assert recorder.requests == [], "a request reached the other host"
    r = outcome(results, "test_operations_success[getAllUsers]")
    assert r["outcome"] == "fail" and "redirect to http://127.0.0.2" in r["message"]


def test_endless_link_next_does_not_loop(tmp_path):
    server = hostile_provider("endless-link")
    try:
        proc, results, elapsed = run_harness(tmp_path, server.origin)
    finally:
        server.stop()
    assert elapsed < BOUND_S and "Traceback" not in proc.stdout
    window = outcome(results, "test_pagination_window[getAllUsers]")
    assert window["outcome"] in ("fail", "not-applicable")


def test_echoed_authorization_never_reaches_an_output(tmp_path):
    server = hostile_provider("echo-authorization")
    try:
        proc, results, _ = run_harness(tmp_path, server.origin, "-k", "credentials or operations")
    finally:
        server.stop()
    text = proc.stdout + proc.stderr + "".join(p.read_text(errors="replace") for p in (tmp_path / "reports").rglob("*")
                                               if p.is_file())
    secrets = [c.client_secret for c in load_builtin_clients().values()]
    assert not any(s in text for s in secrets)
    assert "Bearer ***" in text or "***" in text
    assert outcome(results, "test_auth_credentials_not_in_url")["outcome"] == "fail"


def test_a_token_that_expires_mid_run_is_replaced(tmp_path):
    """Tokens live 2 s: the harness refreshes early or on a 401 and the run stays conformant."""
    from oneroster_conformance.provider.server import serve_in_thread

    with serve_in_thread(ProviderConfig(token_lifetime=2)) as provider:
        proc, results, _ = run_harness(tmp_path, provider.origin)
    bad = {k: r["message"][:120] for k, r in results.items() if r["outcome"] in ("fail", "errored")}
    assert bad == {} and proc.returncode == 0, proc.stdout[-2000:]
