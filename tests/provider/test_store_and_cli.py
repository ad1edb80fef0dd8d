"""Persistence of the SQLite file, the generated district behind the app, and the console script."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from oneroster_conformance.provider.app import create_app
from oneroster_conformance.provider.cli import main
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.faults import FAULTS
from oneroster_conformance.provider.store import Store


def test_db_file_is_reused_and_rebuilt_when_the_source_changes(tmp_path) -> None:
    path = str(tmp_path / "roster.sqlite")
    create_app(ProviderConfig(db_path=path)).state.provider.store.close()
    stamp = os.stat(path).st_mtime_ns
    assert Store(path).is_built("sample")
    create_app(ProviderConfig(db_path=path)).state.provider.store.close()
    assert os.stat(path).st_mtime_ns == stamp  # reused, not rebuilt
    create_app(ProviderConfig(db_path=path, students=40)).state.provider.store.close()
    assert Store(path).is_built("generated:40:0") and not Store(path).is_built("sample")


def test_generated_district_is_served(faulty, tmp_path) -> None:
    from starlette.testclient import TestClient

    from oneroster_conformance.provider.auth import load_clients
    from oneroster_conformance.spec.operations import ALL_SCOPES

    app = create_app(ProviderConfig(students=120, seed=3))
    client = TestClient(app)
    secret = load_clients()["conformance-all"].client_secret
    token = client.post("/token", data={"grant_type": "client_credentials", "scope": " ".join(ALL_SCOPES)},
                        auth=("conformance-all", secret)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    root = "/ims/oneroster/rostering/v1p2"
    response = client.get(root + "/students", params={"limit": 1000}, headers=headers)
    assert response.headers["x-total-count"] == "120" and len(response.json()["users"]) == 120
    cls = client.get(root + "/classes", params={"limit": 1}, headers=headers).json()["classes"][0]["sourcedId"]
    students = client.get(f"{root}/classes/{cls}/students", headers=headers).json()["users"]
    assert 1 <= len(students) <= 25
    assert client.get(root + "/enrollments", headers=headers).headers["x-total-count"] == str(
        len(app.state.provider.store.query("SELECT sid FROM enrollments")))
    app.state.provider.store.close()


def test_list_faults(capsys) -> None:
    assert main(["--list-faults"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in FAULTS)


def test_unknown_fault_is_a_usage_error(capsys) -> None:
    assert main(["--fault", "no-such-fault"]) == 2
    assert "known faults" in capsys.readouterr().err


def test_port_in_use_is_reported(sample_db, capsys) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        assert main(["--port", str(busy.getsockname()[1]), "--db", sample_db]) == 1
    assert "cannot listen" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery")
def test_console_script_serves_and_stops_on_ctrl_c(sample_db) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "oneroster_conformance.provider.cli", "--port", str(port),
                             "--db", sample_db, "--fault", "no-total-count"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "the provider did not start"
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert f"http://127.0.0.1:{port}/ims/oneroster/rostering/v1p2" in out
    assert f"http://127.0.0.1:{port}/token" in out
    assert "conformance-all" in out and "no-total-count" in out


def test_latency_delays_every_response_and_must_not_be_negative() -> None:
    from oneroster_conformance.provider.server import serve_in_thread

    provider = serve_in_thread(ProviderConfig(latency=0.2))
    try:
        with httpx.Client() as client:
            started = time.perf_counter()
            assert client.get(provider.origin + "/").status_code == 200
            assert time.perf_counter() - started >= 0.2
    finally:
        provider.stop()
    with pytest.raises(ValueError, match="latency"):
        ProviderConfig(latency=-1)
