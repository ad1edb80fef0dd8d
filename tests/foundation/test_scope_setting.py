"""The scopes a run asks for: --scope (repeatable), ONEROSTER_SCOPES, the profile's scopes, the binding's default."""

from __future__ import annotations

import pytest

from oneroster_conformance.client.configure import resolve
from oneroster_conformance.client.settings import ConfigError
from oneroster_conformance.spec.operations import ALL_SCOPES, rostering_scopes

V1P1 = "https://sis.example.org/ims/oneroster/v1p1"
V1P2 = "https://sis.example.org/ims/oneroster/rostering/v1p2"
CUSTOM = "https://example.org/scope/special.read"


def _settings(base_url: str, environ: dict | None = None, **cli):
    return resolve({"base_url": base_url, "client_id": "x", "client_secret": "y", **cli}, environ or {})


def test_default_scopes_follow_the_binding():
    assert _settings(V1P2).scopes == ALL_SCOPES
    assert _settings(V1P1).scopes == rostering_scopes("v1p1")
    assert all("/spec/or/v1p1/scope/" in s for s in _settings(V1P1).scopes)
    assert not _settings(V1P1).scopes_given


def test_scope_option_is_repeatable_and_splits_on_spaces():
    s = _settings(V1P1, scopes=[CUSTOM, f"{rostering_scopes('v1p1')[1]} {CUSTOM}"])
    assert s.scopes == (CUSTOM, rostering_scopes("v1p1")[1]) and s.scopes_given


def test_scopes_from_the_environment_and_the_profile(tmp_path):
    assert _settings(V1P2, {"ONEROSTER_SCOPES": f"{CUSTOM}  {ALL_SCOPES[0]}"}).scopes == (CUSTOM, ALL_SCOPES[0])
    profile = tmp_path / "p.yaml"
    profile.write_text(f"scopes:\n  - {CUSTOM}\n", encoding="utf-8")
    assert _settings(V1P1, profile=str(profile)).scopes == (CUSTOM,)
    # the command line wins over the environment, which wins over the profile
    assert _settings(V1P1, {"ONEROSTER_SCOPES": ALL_SCOPES[0]}, profile=str(profile)).scopes == (ALL_SCOPES[0],)


def test_profile_clients_without_scopes_ask_for_the_binding_s_scopes(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("clients:\n  short:\n    client_id: a\n    client_secret: b\n"
                       f"  own:\n    client_id: c\n    client_secret: d\n    scopes: [{CUSTOM}]\n", encoding="utf-8")
    s = _settings(V1P1, profile=str(profile))
    assert s.extra_clients["short"].scopes == rostering_scopes("v1p1")
    assert s.extra_clients["own"].scopes == (CUSTOM,)


@pytest.mark.parametrize("bad", ["   ", [], [1, 2]])
def test_bad_scopes_are_one_sentence(tmp_path, bad):
    profile = tmp_path / "p.yaml"
    import yaml

    profile.write_text(yaml.safe_dump({"scopes": bad}), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        _settings(V1P1, profile=str(profile))
    assert "scope" in str(e.value)
