"""An independent OneRoster provider for the proof: another stack, every free choice made the other way.

The reference provider (``oneroster_conformance.provider``) and the checks come from the same hands;
where they share a misreading of the spec, running the checks against the reference provider
cannot show it. This provider is written apart from both: the standard library's HTTP server
(no Starlette), plain dicts in memory (no SQLite), its own filter, sort and paging code, and it
imports neither the reference provider nor the harness's query oracle (a test enforces that). It
reads only spec data (the operation catalogue, the JSON Schemas, the published OpenAPI) and the
sample roster and client files.

Wherever the OneRoster 1.2 binding (or 1.1) allows more than one behaviour it takes the one the
reference provider does not take; each module's docstring lists its choices. The proof requires
that the conformance suites raise no false alarm against it, in 1.2 and in 1.1.

``oneroster-alt-provider --port 8001 [--binding v1p1]`` runs it for a person to try.
"""
