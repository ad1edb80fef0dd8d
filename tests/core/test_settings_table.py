"""Each setting is declared once; options, environment, profile keys and checks are derived from it."""

from __future__ import annotations

import pytest

from oneroster_conformance.client.configure import resolve
from oneroster_conformance.client.options import by_name, command_line, convert, profile_keys
from oneroster_conformance.client.settings import GROUPS, ConfigError
from oneroster_conformance.option_docs import argparse_specs, help_text, markdown_table


def test_every_command_line_option_has_help_group_and_environment_variable():
    opts = command_line()
    assert len(opts) >= 30
    for o in opts:
        assert o.help and o.group in GROUPS and o.flag and o.flag.startswith("--"), o
        assert o.env == f"ONEROSTER_{o.name.upper()}"
    assert len({o.flag for o in opts}) == len(opts)
    assert [flag for _, flag, _ in argparse_specs()] == [str(o.flag) for g in GROUPS for o in opts if o.group == g]


def test_the_help_and_the_docs_come_from_the_table():
    text = help_text()
    assert text.index("target and credentials:") < text.index("politeness:") < text.index("1.1 and Aeries:")
    assert "--scope SCOPE" in text and "ONEROSTER_SCOPES" in text and "--help-pytest" in text
    assert "`--gate-should`" in markdown_table()


def test_resolution_order_command_line_environment_profile_default(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("rate_limit: 2\nmax_concurrency: 2\ntimeout: 9\n", encoding="utf-8")
    s = resolve({"profile": str(profile), "rate_limit": "5"}, {"ONEROSTER_MAX_CONCURRENCY": "3"})
    assert (s.rate_limit, s.max_concurrency, s.timeout, s.workers) == (5.0, 3, 9.0, 4)
    assert s.profile_name == "p"


def test_scopes_from_every_source():
    assert resolve({"scope": None, "scopes": ["a", "b"]}, {}).scopes == ("a", "b")
    assert resolve({}, {"ONEROSTER_SCOPES": "x y"}).scopes == ("x", "y")


@pytest.mark.parametrize("source,name,raw,words", [
    ("cli", "rate_limit", "-1", ["--rate-limit", "'-1'", "at least 0"]),
    ("env", "workers", "two", ["ONEROSTER_WORKERS", "whole number"]),
    ("p.yaml", "insecure", "yes", ["the profile file p.yaml: 'insecure'", "true or false"]),
    ("cli", "sweep", "ful", ["--sweep", "did you mean full"]),
])
def test_a_bad_value_names_where_it_came_from(source, name, raw, words):
    with pytest.raises(ConfigError) as e:
        convert(by_name()[name], raw, source)
    for word in words:
        assert word in str(e.value)


def test_profile_keys_exclude_run_only_settings():
    keys = profile_keys()
    assert {"base_url", "rate_limit", "scopes", "clients", "name", "known_behaviour"} <= keys
    assert not {"embedded", "profile", "expectations", "gate_should"} & keys


def test_docs_options_is_up_to_date():
    from pathlib import Path

    from oneroster_conformance.option_docs import options_document

    doc = Path(__file__).resolve().parents[2] / "docs" / "options.md"
    assert doc.read_text(encoding="utf-8") == options_document(), "run: python -m oneroster_conformance.option_docs"
