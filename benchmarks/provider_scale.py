"""Scale benchmark of the reference provider (not a test).

Builds a 100,000-student district, serves it from a separate process (so its memory is measured
alone) and prints, side by side: build time; median latency of the first page of /students and of
the page at offset 99,900 (their ratio shows whether deep pages scan); a filtered and a sorted page;
the server's peak RSS.

    python benchmarks/provider_scale.py [--students 100000] [--repeat 15] [--keep FILE]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

from oneroster_conformance.provider.app import open_store
from oneroster_conformance.provider.auth import load_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.spec.operations import ALL_SCOPES, SERVICE_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--keep", metavar="FILE", help="keep (and reuse) the database in FILE")
    args = ap.parse_args()

    folder = tempfile.mkdtemp(prefix="provider-scale-")
    db = args.keep or os.path.join(folder, "district.sqlite")
    config = ProviderConfig(db_path=db, students=args.students, seed=args.seed)
    started = time.perf_counter()
    store = open_store(config)
    build = time.perf_counter() - started
    counts = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in ("users", "classes", "enrollments")}
    store.close()
    size = os.path.getsize(db) / 1e6

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "oneroster_conformance.provider.cli", "--port", str(port), "--db", db,
         "--students", str(args.students), "--seed", str(args.seed)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(origin + "/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the provider did not start") from None
                time.sleep(0.2)
        client = load_clients()["conformance-all"]
        with httpx.Client(base_url=origin + SERVICE_ROOT["v1p2"], timeout=120) as http:
            token = http.post(origin + "/token", data={"grant_type": "client_credentials",
                                                       "scope": " ".join(ALL_SCOPES)},
                              auth=(client.client_id, client.client_secret)).json()["access_token"]
            http.headers["Authorization"] = f"Bearer {token}"
            total = int(http.get("/students", params={"limit": 1}).headers["x-total-count"])
            cases = {
                "first page      /students?limit=100": {"limit": 100},
                f"deep page       /students?offset={total - 100}": {"limit": 100, "offset": total - 100},
                "filtered page   familyName='Smith'": {"limit": 100, "filter": "familyName='Smith'"},
                "delta sync      dateLastModified>'2025-03-15'": {"limit": 100,
                                                                  "filter": "dateLastModified>'2025-03-15'"},
                "sorted page     sort=familyName": {"limit": 100, "sort": "familyName"},
            }
            times: dict[str, list[float]] = {name: [] for name in cases}
            for _ in range(args.repeat):  # interleaved, so every case sees the same conditions
                for name, params in cases.items():
                    t = time.perf_counter()
                    response = http.get("/students", params=params)
                    times[name].append(time.perf_counter() - t)
                    assert response.status_code == 200, response.text
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)  # the 100k district is ~1.7 GB

    med = {name: statistics.median(v) * 1000 for name, v in times.items()}
    names = list(cases)
    print(f"district: {args.students:,} students, seed {args.seed}: {counts['users']:,} users, "
          f"{counts['classes']:,} classes, {counts['enrollments']:,} enrollments; {size:,.0f} MB SQLite")
    print(f"build time (generate + insert + index): {build:6.1f} s")
    print(f"median latency over {args.repeat} runs (each incl. X-Total-Count of the whole filtered set):")
    for name in names:
        print(f"  {name:<48} {med[name]:8.1f} ms")
    print(f"deep / first page ratio: {med[names[1]] / med[names[0]]:.2f} (target < 3)")
    print(f"server peak RSS (VmHWM): {rss:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
