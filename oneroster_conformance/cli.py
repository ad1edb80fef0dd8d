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


def _options(args: list[str]) -> dict[str, object]:
    """The harness options among ``args`` (setting name -> raw text), for commands other than a run."""
    import argparse

    from oneroster_conformance.option_docs import argparse_specs

    parser = argparse.ArgumentParser(add_help=False)
    for _, flag, kw in argparse_specs():
        parser.add_argument(flag, **kw)
    known, unknown = parser.parse_known_args(args)
    if unknown:
        raise ValueError(f"--cleanup takes the credential options of a run; {unknown[0]} is not one of them.")
    return vars(known)


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
        try:
            cli = _options(args[:i] + args[i + 2:])
        except ValueError as e:
            print(f"oneroster: {e}")
            return 4
        return cleanup(args[i + 1], cli)
    args = ["--help" if a == "--help-pytest" else a for a in args]
    suites = suites_dir()
    # An empty config file and an explicit rootdir: a pytest.ini in the user's folder must not change the run.
    return int(pytest.main(["-c", os.devnull, "--rootdir", str(suites), "-p", "no:cacheprovider", str(suites), *args]))


if __name__ == "__main__":
    sys.exit(main())
