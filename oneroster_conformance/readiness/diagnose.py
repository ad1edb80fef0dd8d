"""Readiness gaps in the district admin's words: what answered what, and which box to tick.

Every sentence starts with the consumer's name, says what the provider answered, and ends with the
fix and how sure the diagnosis is (the permission map's confidence), e.g.
"Claris: /terms answered 403: in Aeries, Security → API Security → Claris → grant Read on School
Information → Terms (inferred: ...)".
"""

from __future__ import annotations

from oneroster_conformance.readiness.consumers import Consumer, Read, path_collections, permission_for, sis_map
from oneroster_conformance.text import first_n

REFUSED = (401, 403)
NOT_SERVED = (404, 405, 501)
SHOWN = 3


def _grant(consumer: Consumer, permission: str) -> str:
    return sis_map()["how_to_grant"].format(record=consumer.record, permission=permission)


def _sureness(consumer: Consumer, collection: str) -> str:
    perm = permission_for(collection)
    if perm is None:
        return "no permission is known for this endpoint"
    listed = "listed" if perm.name in consumer.permissions else "NOT listed"
    if perm.confidence == "documented":
        how = f"Aeries documents this permission for /{collection}"
    else:
        how = f"{perm.confidence}: {perm.source}"
    return f"{how}; {listed} in the {consumer.title} setup guide"


def refused(consumer: Consumer, path: str, status: int) -> str:
    """A 401 / 403 on an operation: the permission behind it, then its parents' as the next check."""
    chain = path_collections(path)
    perm = permission_for(chain[-1])
    head = f"{consumer.title}: {path} answered {status}: "
    if perm is None:
        return head + f"the {consumer.record} record may not read /{chain[-1]}; no permission is known for it."
    text = head + _grant(consumer, perm.name) + f" ({_sureness(consumer, chain[-1])})"
    parents = []
    for parent in chain[:-1]:
        p = permission_for(parent)
        if p is not None and p.name != perm.name and p.name not in parents:
            parents.append(p.name)
    if parents:
        text += f"; if that is already granted, this endpoint is reached through /{chain[-2]}: check " \
                + " and ".join(parents) + " too"
    return text


def not_served(consumer: Consumer, read: Read, path: str, status: int) -> str:
    return (f"{consumer.title}: {path} answered {status}: this provider does not serve it, and {consumer.title} "
            f"reads it ({read.basis}; {read.confidence}). There is no box to tick: ask the SIS vendor.")


def server_trouble(consumer: Consumer, path: str, what: str) -> str:
    return (f"{consumer.title}: {path} answered {what}: a server problem, not a missing permission; try again "
            "later and report it to the SIS vendor if it persists.")


def credentials_refused(consumer: Consumer, what: str) -> str:
    fix = " ".join(sis_map()["how_to_fix_credentials"].format(record=consumer.record).split())
    return (f"{consumer.title}: the provider refused the {consumer.record} record's consumer id and secret "
            f"({what}): {fix}.")


def empty(consumer: Consumer, read: Read, path: str) -> str:
    collection = path_collections(path)[-1]
    return (f"{consumer.title}: {path} answered 200 with no records: {consumer.title} reads {collection} "
            f"({read.basis}). Until the SIS holds {collection} this record may see, {consumer.title} has "
            "nothing to import: check the data in the SIS (e.g. this school year's terms).")


def fields_missing(consumer: Consumer, path: str, gaps: list[str]) -> str:
    return f"{consumer.title}: {path}: " + "; ".join(gaps) + f". {consumer.title} reads these fields."


def missing_on_some(field: str, bad: list[str], total: int) -> str:
    shown = first_n(bad, SHOWN)
    return f"{len(bad)} of {total} record(s) lack '{field}' ({shown})"


def missing_on_all(field: str, total: int) -> str:
    return f"none of {total} record(s) carries '{field}'"
