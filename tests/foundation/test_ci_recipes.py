"""The CI recipes: the shell script gates for real; the YAML recipes parse and call the same script."""

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from oneroster_conformance.harness import load_builtin_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "ci" / "oneroster-conformance.sh"


def run_recipe(tmp_path: Path, faults: frozenset[str]) -> subprocess.CompletedProcess:
    main = load_builtin_clients()["conformance-all"]
    with serve_in_thread(ProviderConfig(faults=faults)) as provider:
        env = {**os.environ, "ONEROSTER_BASE_URL": provider.base_url, "ONEROSTER_TOKEN_URL": provider.token_url,
               "ONEROSTER_CLIENT_ID": main.client_id, "ONEROSTER_CLIENT_SECRET": main.client_secret,
               "ONEROSTER_SKIP_INSTALL": "1", "REPORT_DIR": str(tmp_path / "out"), "CI": "true",
               "PATH": f"{Path(os.sys.executable).parent}:{os.environ['PATH']}",
               "EXTRA_ARGS": "--rate-limit 0 --hypothesis-profile quick -q -k 'operations or errors or auth'"}
        return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300,
                              cwd=tmp_path)


@pytest.mark.parametrize("faults,expected", [(frozenset(), 0), (frozenset({"bad-404-body"}), 1)],
                         ids=["clean-passes", "must-fault-fails"])
def test_shell_recipe_gates(tmp_path, faults, expected):
    proc = run_recipe(tmp_path, faults)
    # over plain http a real target fails transport security; -k keeps this test on operations/errors/auth
    assert proc.returncode == expected, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert (tmp_path / "out" / "junit.xml").exists() and (tmp_path / "out" / "report.html").exists()
    assert load_builtin_clients()["conformance-all"].client_secret not in proc.stdout + proc.stderr


def test_yaml_recipes_parse_and_call_the_script():
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        text = (ROOT / "docs" / "ci" / name).read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
        assert isinstance(doc, dict) and doc
        assert "bash docs/ci/oneroster-conformance.sh" in text
        assert "junit.xml" in text and "ONEROSTER_CLIENT_SECRET" in text
