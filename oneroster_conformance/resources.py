"""Locate the data the harness ships: spec artefacts, fixtures and suites.

In a wheel they are bundled under ``oneroster_conformance/_bundled``; in a source checkout (or an
editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

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


def load_yaml(path: Path) -> Any:
    """A YAML file, parsed safely; with libyaml's C parser when PyYAML has it (the requirement
    catalogue alone takes ~50 ms with the pure-Python one, on every run)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
