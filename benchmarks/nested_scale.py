"""Memory of the nested check whose answer grows with the district (not a test).

Every class of a term is the largest nested answer of a generated district (40,000 classes at
100,000 students, 400,000 at 1,000,000). This crawls only classes and terms of a district served by
the reference provider in its own process, then runs the nested check of getClassesForTerm as the
suite does (parent choice, the records around the parent, nested.judge) and prints, per step, the
harness's RSS and Python's peak allocation (tracemalloc).

    python benchmarks/nested_scale.py --db DIR/district-100000.sqlite --students 100000
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc

from _common import Provider

from oneroster_conformance.client.http import OneRosterClient
from oneroster_conformance.client.settings import Settings
from oneroster_conformance.data import nested
from oneroster_conformance.data.crawl import Crawl
from oneroster_conformance.data.relations import RELATIONS
from oneroster_conformance.harness import load_builtin_clients
from oneroster_conformance.spec.operations import operations


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="a district built by scale.py --keep")
    ap.add_argument("--students", type=int, required=True)
    a = ap.parse_args()
    wanted = ("getAllClasses", "getAllTerms", "getClassesForTerm")
    ops = tuple(o for o in operations("v1p2") if o.operation_id in wanted)
    op = next(o for o in ops if o.operation_id == "getClassesForTerm")
    rel = RELATIONS[op.operation_id]
    main_client = load_builtin_clients()["conformance-all"]
    with Provider("--db", a.db, "--students", str(a.students)) as provider:
        client = OneRosterClient(Settings(base_url=provider.base_url, token_url=provider.token_url,
                                          client_id=main_client.client_id, client_secret=main_client.client_secret,
                                          rate_limit=0, timeout=300))
        crawl = Crawl(client, ops, page_size=5000, workers=2)
        try:
            crawl.prefetch()
            print(f"{a.students:,} students, after the crawl of classes and terms: RSS {rss_mb():.0f} MB")
            tracemalloc.start()
            ids = crawl.ids_for(op)
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            print(f"  parent choice: RSS {rss_mb():.0f} MB, Python peak {peak:.1f} MB")
            tracemalloc.reset_peak()
            data = crawl.data_for(rel, ids)
            answer = nested.judge(crawl, op.url_path(**ids), op.wrapper, lambda: rel.streamed(data, ids))
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            print(f"  nested check: {answer.must:,} classes expected, {answer.got:,} returned, {answer.missing} "
                  f"missing, {answer.extra} extra; RSS {rss_mb():.0f} MB, Python peak {peak:.1f} MB")
        finally:
            crawl.close()
            client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
