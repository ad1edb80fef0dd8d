"""The harness's own query oracle: what a conformant provider may return for filter, sort,
fields and paging, judged on records already fetched.

Independent of `oneroster_conformance.provider` by design (docs/architecture.md, layers; a test enforces
it): filter (grammar), evaluate (three-valued filter verdicts), resolve (dot notation),
compare / collation (readings: case, UCA 9 and 10, dates, numbers), sort, projection, paging,
strategies (hypothesis). Every ambiguous rule accepts all its readings (docs/spec-readings.md).
"""
