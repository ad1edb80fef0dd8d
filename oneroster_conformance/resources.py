"""Locate the data the harness ships: spec artefacts, fixtures and suites.

In a wheel they are bundled under ``oneroster_conformance/_bundled``; in a source checkout (or an
editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_root() -> Path:
    bundled = _PACKAGE / "_bundled"
    return bundled if (bundled / "schemas").is_dir() else _PACKAGE.parent


def schemas_dir() -> Path:
    return data_root() / "schemas"


def fixtures_dir() -> Path:
    return data_root() / "fixtures"


def suites_dir() -> Path:
    return data_root() / "suites"
