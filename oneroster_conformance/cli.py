"""`oneroster-conformance`: run the bundled suites from any folder (the installed harness).

Every option is a harness option (``oneroster-conformance --help``), e.g.
    oneroster-conformance --base-url https://sis.example.org/ims/oneroster/rostering/v1p2 --report-dir out
pytest's own options work too (``--help-pytest`` lists them).
"""

from __future__ import annotations

import os
import sys

import pytest

from oneroster_conformance import __version__
from oneroster_conformance.resources import suites_dir


def version() -> str:
    from oneroster_conformance.spec.requirements import catalogue

    return (f"oneroster-conformance {__version__} (requirement catalogue {catalogue().version}, "
            f"pytest {pytest.__version__})")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "-h" in args or "--help" in args:
        from oneroster_conformance.option_docs import help_text

        print(help_text())
        return 0
    if "--version" in args or "-V" in args:
        print(version())
        return 0
    if "--cleanup" in args:  # delete what a killed run left (its writes journal), then stop
        from oneroster_conformance.writes.cleanup import main as cleanup

        i = args.index("--cleanup")
        if i + 1 >= len(args):
            print("oneroster: --cleanup needs the journal file a run wrote (<report-dir>/writes-journal.jsonl).")
            return 4
        return cleanup(args[i + 1], args[:i] + args[i + 2:])
    args = ["--help" if a == "--help-pytest" else a for a in args]
    suites = suites_dir()
    # An empty config file and an explicit rootdir: a pytest.ini in the user's folder must not change the run.
    return int(pytest.main(["-c", os.devnull, "--rootdir", str(suites), "-p", "no:cacheprovider", str(suites), *args]))


if __name__ == "__main__":
    sys.exit(main())
