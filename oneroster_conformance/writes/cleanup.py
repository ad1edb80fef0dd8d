"""``oneroster-conformance --cleanup JOURNAL``: delete what a killed run left behind.

Only the records the journal names (every one has the run's orc-test- prefix, or was allocated by the
provider in answer to the run's own POST) are deleted; nothing is listed or searched for on the server.
The same credential options as a run (--client-id, ONEROSTER_CLIENT_SECRET, --token-url, --profile ...);
the service roots come from the journal unless --base-url / --gradebook-url are given.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from oneroster_conformance.client.configure import resolve, validate
from oneroster_conformance.client.http import OneRosterClient
from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.client.settings import ConfigError
from oneroster_conformance.spec.operations import GRADEBOOK, SERVICE_ROOTS
from oneroster_conformance.writes import journal
from oneroster_conformance.writes.session import remove

EXIT_OK, EXIT_LEFT, EXIT_CONFIG = 0, 1, 4


def _settings(cli: dict[str, object], root: str | None):
    s = resolve(cli)
    if root and not s.base_url:  # the journal's Gradebook root -> the Rostering root on the same origin
        prefix = root[: -len(SERVICE_ROOTS[GRADEBOOK])] if root.endswith(SERVICE_ROOTS[GRADEBOOK]) else root
        s.base_url = prefix + SERVICE_ROOTS["rostering"]
    validate(s)
    if not (s.client_id and s.client_secret):
        raise ConfigError("--cleanup needs the run's credentials: --client-id and ONEROSTER_CLIENT_SECRET (or a "
                          "--profile naming them).")
    return s


def main(journal_path: str, cli: dict[str, object]) -> int:
    """Delete the journal's leftovers; one line per record, then one sentence. Exit 0 when nothing is left."""
    path = Path(journal_path)
    if not path.is_file():
        print(f"oneroster: --cleanup {journal_path}: no such journal file (the run writes it as "
              f"<report-dir>/{journal.JOURNAL}).")
        return EXIT_CONFIG
    entries = journal.read(path)
    todo = journal.leftovers(entries)
    roots = {c.service_root for c in todo}
    try:
        settings = _settings(cli, next(iter(roots)) if roots else None)
    except ConfigError as e:
        print(f"oneroster: {e}")
        return EXIT_CONFIG
    if not todo:
        print(f"oneroster: {journal_path} names no record left to delete: nothing to do.")
        return EXIT_OK
    if settings.gradebook_url:  # the provider moved: its records are addressed under the root given
        todo = [journal.Created(settings.gradebook_url.rstrip("/"), c.collection, c.sourced_id) for c in todo]
    client = OneRosterClient(settings)
    book = journal.Journal(path)
    try:
        done = remove(todo, client, book, settings)
    finally:
        book.close()
        client.close()
    for d in done:
        state = "removed" if d["status"] == 204 else "already gone" if d["removed"] else "NOT removed"
        why = f" ({d['status'] or d['error']})" if not d["removed"] or d["status"] != 204 else ""
        print(f"  {state}: {d['collection']}/{d['id']}{why}")
    left = [d for d in done if not d["removed"]]
    host = urlsplit(next(iter(roots))).netloc
    if left:
        print(MASKER.mask(f"oneroster: {len(done) - len(left)} of {len(done)} records the run created on {host} "
                          f"removed; {len(left)} could not be: run --cleanup again, or delete them by hand."))
        return EXIT_LEFT
    print(f"oneroster: all {len(done)} records the run created on {host} are removed.")
    return EXIT_OK
