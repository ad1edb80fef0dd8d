"""The repository stands alone: no comment, docstring or data file points at documents that are not in it.

Readings of the spec live in docs/spec-readings.md, provider defects in docs/provider-defects.md and
the public sources in docs/sources.md; code and data cite those, or the spec section itself."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("oneroster_conformance", "suites", "tests", "scripts", "schemas", "benchmarks", "fixtures", "profiles",
           "docs", ".ci")
# Spelt in parts so that this file, which must name them, is not itself a reference to them.
OUTSIDE = re.compile("|".join(["SPEC" + "-NOTES", "FIELD" + "-NOTES", "DESIGN" + " principle", "DESIGN" + r"\.md",
                               "seeds" + "/0", r"\.\." + "/shared", "design" + " card"]))
ANCHOR = re.compile(r"docs/(spec-readings|provider-defects)\.md#([a-z0-9-]+)")
# "spec reading array-equality" (and "spec readings a-b, c-d")
READING = re.compile(r"spec readings? ([a-z0-9-]+-[a-z0-9-]+)(?:, ([a-z0-9-]+-[a-z0-9-]+))?")


def _files():
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".yaml", ".yml", ".json", ".j2", ".md", ".sh", "") \
                    and path != Path(__file__).resolve():
                yield path
    yield ROOT / "README.md"


def test_no_reference_to_documents_outside_the_repository():
    hits = []
    for path in _files():
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert hits == []


@pytest.mark.parametrize("doc", ["spec-readings", "provider-defects"])
def test_every_cited_anchor_exists(doc):
    headings = set(re.findall(r"^### ([a-z0-9-]+)$", (ROOT / "docs" / f"{doc}.md").read_text(), re.M))
    texts = [path.read_text(errors="replace") for path in _files()]
    cited = {a for text in texts for d, a in ANCHOR.findall(text) if d == doc}
    if doc == "spec-readings":
        cited |= {a for text in texts for pair in READING.findall(text) for a in pair if a}
    assert cited - headings == set()


def test_the_old_pattern_is_caught():
    assert OUTSIDE.search("# see " + "SPEC" + "-NOTES 3") and OUTSIDE.search("(" + "seeds" + "/003)")
