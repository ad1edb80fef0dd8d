"""How often the redaction safety net hides a harmless word, in a large district (not a test).

Reads the users and demographics of a district kept by ``scale.py --keep`` (the reference
provider's database, read directly: this measures the net, not the crawl), lets the redactor learn
every record as a sweep does, then prints how full the net is, the false-positive rate that
predicts, and which distinctive words of the project's own docs it would hide (a real personal
value, e.g. a family name also used in the docs, counts too).

    python benchmarks/redaction_net.py --db DIR/district-1000000.sqlite
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

from oneroster_conformance.client import redaction

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="a district built by scale.py --keep")
    ap.add_argument("--bits", type=int, default=redaction._NET_BITS, help="net size in bits (default: the harness's)")
    ap.add_argument("--probes", type=int, default=redaction._NET_HASHES)
    a = ap.parse_args()
    redaction._NET_BITS, redaction._NET_HASHES = a.bits, a.probes
    red = redaction.Redactor()
    red.enabled = True
    started = time.process_time()
    records = 0
    with sqlite3.connect(f"file:{a.db}?mode=ro", uri=True) as con:
        for table in ("users", "demographics"):
            for (doc,) in con.execute(f"SELECT doc FROM {table}"):
                red.learn(json.loads(doc))
                records += 1
    spent = time.process_time() - started
    filled = int.from_bytes(red._net or b"", "little").bit_count() / a.bits
    words = {w for f in sorted(DOCS.glob("*.md")) for w in redaction._WORD.findall(f.read_text(encoding="utf-8"))}
    candidates = sorted(w for w in words if redaction._distinctive(w))
    hidden = [w for w in candidates if red._netted(w)]
    print(f"net {a.bits // 8 // 2**20} MB, {a.probes} probes: {records:,} records, {red._learned:,} values learned "
          f"in {spent:.0f} s CPU")
    print(f"  {filled:.1%} of the bits set: predicted false positives {filled ** a.probes:.1e} a word")
    print(f"  distinctive words of docs/ it hides: {len(hidden)} of {len(candidates):,} {hidden[:10]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
