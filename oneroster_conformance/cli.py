"""`oneroster-conformance`: run the bundled suites from any folder (the installed harness).

Every option is a pytest option of the harness (see `oneroster-conformance --help`), e.g.
    oneroster-conformance --base-url https://sis.example.org/ims/oneroster/rostering/v1p2 --report-dir out
"""

from __future__ import annotations

import os
import sys

import pytest

from oneroster_conformance.resources import suites_dir


def main(argv: list[str] | None = None) -> int:
    suites = suites_dir()
    args = list(sys.argv[1:] if argv is None else argv)
    # An empty config file and an explicit rootdir: a pytest.ini in the user's folder must not change the run.
    return int(pytest.main(["-c", os.devnull, "--rootdir", str(suites), "-p", "no:cacheprovider", str(suites), *args]))


if __name__ == "__main__":
    sys.exit(main())
