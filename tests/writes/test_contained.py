"""Writes are contained, measured on a reference provider on 127.0.0.1 (its request log, a full read):

* without --allow-writes (or with --plan-writes) not one PUT / POST / DELETE reaches a non-embedded provider,
  the 405 probes to made-up ids aside;
* after a full run with writes the provider holds exactly the records it held before;
* a run killed in the middle of its writes leaves a journal, and --cleanup JOURNAL removes all it created;
* a run stopped by SIGTERM (a CI timeout) cleans up by itself.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from oneroster_conformance.harness import load_builtin_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import serve_in_thread
from oneroster_conformance.resources import suites_dir
from oneroster_conformance.spec.operations import EVERY_READ_SCOPE, read_operations
from oneroster_conformance.writes.journal import JOURNAL
from oneroster_conformance.writes.records import write_operations

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
MAIN = load_builtin_clients()["conformance-all"]
PROBE_PATH = "/ims/oneroster/rostering/v1p2/users/"  # the 405 probes' made-up ids live under /users


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    log = tmp_path_factory.mktemp("provider") / "requests.log"
    with serve_in_thread(ProviderConfig(request_log=str(log))) as running:
        running.log = log
        yield running


def harness(provider, report_dir: Path, *args: str, wait: bool = True):
    cmd = [sys.executable, "-m", "pytest", str(suites_dir()), "--base-url", provider.base_url, "--token-url",
           provider.token_url, "--client-id", MAIN.client_id, "--rate-limit", "0", "--report-dir", str(report_dir),
           "-q", "-p", "no:cacheprovider", "--hypothesis-profile", "quick", *args]
    env = {**os.environ, "ONEROSTER_CLIENT_SECRET": MAIN.client_secret, "CI": "true"}
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)


def full_read(provider) -> dict[str, list[str]]:
    """Every record of every top-level collection of the three services, page by page."""
    token = httpx.post(provider.token_url, auth=(MAIN.client_id, MAIN.client_secret),
                       data={"grant_type": "client_credentials", "scope": " ".join(EVERY_READ_SCOPE)}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    out: dict[str, list[str]] = {}
    origin = provider.origin
    from oneroster_conformance.spec.operations import SERVICE_ROOTS

    with httpx.Client(headers=headers, timeout=30) as client:
        for op in read_operations("v1p2"):
            if not op.is_collection or op.path_params:
                continue
            records, offset = [], 0
            while True:
                reply = client.get(f"{origin}{SERVICE_ROOTS[op.service]}{op.path}",
                                   params={"limit": 1000, "offset": offset})
                assert reply.status_code == 200, (op.operation_id, reply.status_code)
                page = reply.json()[op.wrapper]
                records += [json.dumps(r, sort_keys=True) for r in page]
                if len(page) < 1000:
                    break
                offset += 1000
            out[op.operation_id] = sorted(records)
    return out


def writes_in(log: Path, since: int) -> list[str]:
    lines = log.read_text(encoding="utf-8").splitlines()[since:]
    return [ln for ln in lines if ln.split(" ")[0] in ("PUT", "POST", "DELETE", "PATCH")
            and ln.split(" ")[1] != "/token"]


def log_size(provider) -> int:
    return len(provider.log.read_text(encoding="utf-8").splitlines()) if provider.log.exists() else 0


def test_without_allow_writes_no_write_reaches_the_provider(provider, tmp_path):
    since = log_size(provider)
    proc = harness(provider, tmp_path, "-k", "writes or errors")
    assert proc.returncode == 0, proc.stdout[-2000:]
    sent = writes_in(provider.log, since)
    assert sent, "the 405 probes ran (the test can see a write in the log)"
    assert all(PROBE_PATH in ln and ln.endswith(" 405") for ln in sent), sent  # only the probes, refused
    assert not [ln for ln in sent if "/gradebook/" in ln], sent
    results = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    writes = [r for r in results if r.get("area") == "gradebook-write"]
    assert writes and all(r["outcome"] == "not-applicable" and "--allow-writes" in r["message"] for r in writes)


def test_plan_writes_lists_the_writes_and_sends_none(provider, tmp_path):
    since = log_size(provider)
    proc = harness(provider, tmp_path, "-k", "writes", "--plan-writes")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert writes_in(provider.log, since) == []
    planned = [ln for ln in proc.stdout.splitlines() if ln.startswith(("  PUT /", "  POST /", "  DELETE /"))]
    assert len(planned) > 50 and any("orc-test-" in ln for ln in planned)
    assert not (tmp_path / JOURNAL).exists()


def test_a_full_run_with_writes_leaves_the_provider_as_it_was(provider, tmp_path):
    before = full_read(provider)
    since = log_size(provider)
    proc = harness(provider, tmp_path, "--allow-writes")
    assert proc.returncode == 1, proc.stdout[-2000:]  # plain http: transport/tls-required, nothing else
    assert "NOT CONFORMANT: 1 MUST requirement failed (transport/tls-required)" in proc.stdout
    sent = writes_in(provider.log, since)
    assert {ln.split(" ")[0] for ln in sent} >= {"PUT", "POST", "DELETE"}
    assert full_read(provider) == before
    lines = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    written = [r for r in lines if r.get("area") == "gradebook-write"]
    assert written and all(r["outcome"] == "pass" for r in written)
    assert {r["operation"] for r in written} == {op.operation_id for op in write_operations()}  # all 16, both profiles
    footer = lines[-1]
    assert footer["writes"]["cleanup_ok"] and len(footer["writes"]["writes"]) > 100
    assert "Gradebook writes" in (tmp_path / "report.html").read_text()


def _kill_during_writes(provider, tmp_path, sig: int):
    proc = harness(provider, tmp_path, "-k", "writes", "--allow-writes", wait=False)
    journal_path = tmp_path / JOURNAL
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if journal_path.exists() and journal_path.read_text().count('"send"') >= 30:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be stopped mid-writes"
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return journal_path, out


def test_a_killed_run_is_cleaned_up_by_cleanup_journal(provider, tmp_path):
    before = full_read(provider)
    journal_path, _ = _kill_during_writes(provider, tmp_path, signal.SIGKILL)
    assert full_read(provider) != before, "the kill left records behind (else the test proves nothing)"
    env = {**os.environ, "ONEROSTER_CLIENT_SECRET": MAIN.client_secret}
    cleanup = subprocess.run([sys.executable, "-m", "oneroster_conformance.cli", "--cleanup", str(journal_path),
                              "--client-id", MAIN.client_id, "--token-url", provider.token_url],
                             env=env, capture_output=True, text=True, timeout=120)
    assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
    assert "removed" in cleanup.stdout and MAIN.client_secret not in cleanup.stdout
    after = full_read(provider)
    assert after == before
    assert not any("orc-test-" in r for records in after.values() for r in records)
    again = subprocess.run([sys.executable, "-m", "oneroster_conformance.cli", "--cleanup", str(journal_path),
                            "--client-id", MAIN.client_id, "--token-url", provider.token_url],
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_a_run_stopped_by_sigterm_cleans_up_itself(provider, tmp_path):
    before = full_read(provider)
    _, out = _kill_during_writes(provider, tmp_path, signal.SIGTERM)
    assert full_read(provider) == before, out[-2000:]


def test_records_a_post_created_without_answering_their_ids_are_found_and_removed(tmp_path):
    """A provider whose POST answers no sourcedId pairs (fault post-no-pairs): the clean-up finds the records by
    their references to the run's own lineItems and categories, and the provider ends as it began."""
    with serve_in_thread(ProviderConfig(faults=frozenset({"post-no-pairs"}), db_path=str(tmp_path / "p.db"))) as p:
        before = full_read(p)
        proc = harness(p, tmp_path / "report", "-k", "writes", "--allow-writes")
        assert "gradebook-write/post-pairs" in proc.stdout, proc.stdout[-2000:]
        footer = json.loads((tmp_path / "report" / "results.jsonl").read_text().splitlines()[-1])
        assert footer["writes"]["recovered"] and footer["writes"]["cleanup_ok"]
        assert full_read(p) == before
