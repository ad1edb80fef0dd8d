"""Every configuration mistake is one sentence naming the option, exit status 4, no traceback, and that
sentence is the last line of the output; a run that cannot start says why in its last line (exit 6)."""

from __future__ import annotations

import pytest

SUITE = """
import pytest

@pytest.mark.requirement("operations/base-path")
def test_probe(harness):
    pass
"""
V1P2 = "https://sis.example.org/ims/oneroster/rostering/v1p2"
CREDS = ("--client-id", "x", "--client-secret", "y")

# (name, arguments, files to write first, environment, exit status, words the sentence must hold)
CASES = [
    ("rate-limit-negative", ["--rate-limit", "-5"], {}, {}, 4, ["--rate-limit", "'-5'", "at least 0"]),
    ("rate-limit-text", ["--rate-limit", "fast"], {}, {}, 4, ["--rate-limit", "'fast'", "a number"]),
    ("max-concurrency-zero", ["--max-concurrency", "0"], {}, {}, 4, ["--max-concurrency", "at least 1"]),
    ("timeout-zero", ["--request-timeout", "0"], {}, {}, 4, ["--request-timeout", "above 0"]),
    ("page-size-text", ["--page-size", "many"], {}, {}, 4, ["--page-size", "whole number"]),
    ("workers-zero", ["--workers", "0"], {}, {}, 4, ["--workers", "at least 1"]),
    ("binding-unknown", ["--binding", "v1p3"], {}, {}, 4, ["--binding", "'v1p3'", "v1p2 or v1p1"]),
    ("auth-style-unknown", ["--auth-style", "digest"], {}, {}, 4, ["--auth-style", "basic or body"]),
    ("evidence-unknown", ["--evidence", "partial"], {}, {}, 4, ["--evidence", "full or redacted"]),
    ("sweep-unknown", ["--sweep", "fulll"], {}, {}, 4, ["--sweep", "did you mean full"]),
    ("auth-unknown", ["--auth", "oauth3"], {}, {}, 4, ["--auth", "oauth2 or oauth1"]),
    ("gate-unknown", ["--gate", "some"], {}, {}, 4, ["--gate", "all or readiness"]),
    ("gate-levels-unknown", ["--gate-levels", "MUSTY"], {}, {}, 4, ["--gate-levels", "MUSTY"]),
    ("readiness-misspelt", ["--readiness", "clariss"], {}, {}, 4, ["--readiness", "did you mean claris"]),
    ("readiness-only-alone", ["--readiness-only"], {}, {}, 4, ["--readiness-only", "--readiness"]),
    ("gate-readiness-alone", ["--gate", "readiness"], {}, {}, 4, ["--gate readiness", "--readiness"]),
    ("base-url-not-http", ["--base-url", "ftp://sis.example.org/x", *CREDS], {}, {}, 4, ["--base-url", "http(s)"]),
    ("base-url-no-root", ["--base-url", "https://sis.example.org/api", *CREDS], {}, {}, 4,
     ["--base-url", "service root"]),
    ("binding-mismatch", ["--base-url", V1P2, "--binding", "v1p1", *CREDS], {}, {}, 4,
     ["--binding v1p1", "1.2 service root"]),
    ("secret-missing", ["--base-url", V1P2, "--client-id", "x"], {}, {}, 4, ["--client-secret missing"]),
    ("token-url-bad", ["--base-url", V1P2, "--token-url", "token", *CREDS], {}, {}, 4, ["--token-url", "http(s)"]),
    ("profile-missing", ["--profile", "nowhere.yaml"], {}, {}, 4, ["--profile", "nowhere.yaml"]),
    ("profile-bad-yaml", ["--profile", "p.yaml"], {"p.yaml": "base_url: [unclosed\nrate_limit: 1\n"}, {}, 4,
     ["p.yaml", "line 2", "column"]),
    ("profile-misspelt-key", ["--profile", "p.yaml"], {"p.yaml": "base_ulr: x\n"}, {}, 4,
     ["base_ulr", "did you mean base_url"]),
    ("profile-wrong-type", ["--profile", "p.yaml"], {"p.yaml": "max_concurrency: lots\n"}, {}, 4,
     ["'max_concurrency'", "'lots'"]),
    ("profile-not-mapping", ["--profile", "p.yaml"], {"p.yaml": "- a\n- b\n"}, {}, 4, ["p.yaml", "mapping"]),
    ("expectations-missing", ["--expectations", "known.yaml"], {}, {}, 4, ["--expectations", "known.yaml"]),
    ("expectations-malformed", ["--expectations", "known.yaml"], {"known.yaml": "expectations: [1, 2]\n"}, {}, 4,
     ["--expectations", "known.yaml"]),
    ("report-dir-is-a-file", ["--report-dir", "afile"], {"afile": "x"}, {}, 4, ["--report-dir", "is a file"]),
    ("report-dir-under-a-file", ["--report-dir", "afile/reports"], {"afile": "x"}, {}, 4,
     ["--report-dir", "afile is a file"]),
    ("write-expectations-folder", ["--write-expectations", "."], {}, {}, 4, ["--write-expectations", "folder"]),
    ("ca-bundle-missing", ["--ca-bundle", "ca.pem"], {}, {}, 4, ["--ca-bundle", "ca.pem"]),
    ("option-misspelt", ["--base-ulr", V1P2], {}, {}, 4, ["--base-ulr", "did you mean --base-url"]),
    ("district-host-bad", ["--profile", "aeries", "--district-host", "my district", "--client-id", "x"], {},
     {"ONEROSTER_CLIENT_SECRET": "y"}, 4, ["--district-host", "host name"]),
    ("env-rate-limit", [], {}, {"ONEROSTER_RATE_LIMIT": "quick"}, 4, ["ONEROSTER_RATE_LIMIT", "'quick'"]),
    ("flavour-with-v1p2", ["--embedded-flavour", "aeries", "--binding", "v1p2"], {}, {}, 4,
     ["--embedded-flavour aeries", "--binding v1p2"]),
    ("oauth1-with-v1p2", ["--auth", "oauth1", "--binding", "v1p2"], {}, {}, 4, ["--auth oauth1", "--binding"]),
    ("unreachable", ["--base-url", "http://127.0.0.1:9/ims/oneroster/rostering/v1p2", *CREDS], {}, {}, 6,
     ["cannot reach http://127.0.0.1:9", "exit status 6"]),
]


@pytest.mark.parametrize("name,args,files,env,status,words", CASES, ids=[c[0] for c in CASES])
def test_bad_input(pytester, monkeypatch, name, args, files, env, status, words):
    for var in ("ONEROSTER_BASE_URL", "ONEROSTER_CLIENT_ID", "ONEROSTER_CLIENT_SECRET", "ONEROSTER_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    pytester.makepyfile(test_suite=SUITE)
    for filename, text in files.items():
        (pytester.path / filename).write_text(text, encoding="utf-8")
    r = pytester.runpytest_subprocess(*args, "-p", "no:cacheprovider", timeout=120)
    out, err = r.stdout.str(), r.stderr.str()
    assert r.ret == status, out + err
    assert "Traceback" not in out + err and "INTERNALERROR" not in out + err
    last = [line for line in (out + "\n" + err).splitlines() if line.strip()][-1]
    for word in words:
        assert word in last, (word, last)
    if status == 4:  # a configuration mistake: that one sentence is all there is
        assert err.strip().splitlines() == [last] and last.startswith("ERROR: "), err
        assert last.rstrip().endswith((".", ")", "?")), last


def test_matrix_is_large_enough():
    assert len(CASES) >= 25 and len({c[0] for c in CASES}) == len(CASES)
