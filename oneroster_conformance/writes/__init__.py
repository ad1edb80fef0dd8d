"""Gradebook writes, opt-in and contained (docs/writes.md).

Every record the harness creates carries a recognisable sourcedId prefix (``orc-test-<run id>-``) and is
written to a journal in the report folder before the request is sent; what the journal holds is deleted
when the run ends (also when it is interrupted), and ``oneroster-conformance --cleanup JOURNAL`` deletes
what a killed run left. The harness never modifies or deletes a record it did not create.
"""
