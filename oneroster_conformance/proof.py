"""The proof: every requirement passes on the clean reference provider and fails on a named fault,
and no fault makes any other requirement fail (no collateral false alarms).

Each case starts its own reference provider over HTTPS (a trustme CA the harness is told to trust),
runs the suites against it as a real user would (a subprocess, the secret in the environment), and
reduces results.jsonl to one outcome per requirement. Usage:
    python -m oneroster_conformance.proof [--workers 2] [--only FAULT ...] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from oneroster_conformance.outcome import Outcome
from oneroster_conformance.resources import suites_dir

BROKEN = {"fail", "warn"}


@dataclass(frozen=True)
class Case:
    name: str
    faults: tuple[str, ...] = ()
    breaks: frozenset[str] = frozenset()
    also: frozenset[str] = frozenset()  # may fail as a consequence; never a collateral alarm
    tls: bool = True
    trusted: bool = True  # False: the harness is not given the CA (runs --insecure)
    variant: bool = False  # the deliberately different, still conformant configuration
    args: tuple[str, ...] = ()  # extra harness options the case needs (as a user of that provider would pass)
    binding: str = "v1p2"  # v1p1: the 1.1 provider (judged against the 1.1 clean case)
    flavour: str | None = None  # "aeries": the 1.1 provider as Aeries serves it, with its API records
    auth: str = "oauth2"  # "oauth1": the provider verifies OAuth 1.0a signatures
    independent: bool = False  # the independently written provider (oneroster_conformance.altprovider)

    @property
    def conformant(self) -> bool:
        """A provider case that must show no failure at all (a clean or variant configuration)."""
        return not self.faults and not self.breaks and self.tls and self.trusted


@dataclass
class CaseResult:
    case: Case
    outcomes: dict[str, str] = field(default_factory=dict)  # requirement -> worst outcome
    exit_status: int | None = None
    seconds: float = 0.0
    error: str = ""

    def undetected(self) -> list[str]:
        return sorted(r for r in self.case.breaks if self.outcomes.get(r) not in BROKEN)


# What a user of such a provider would configure so the run can start at all.
CASE_ARGS = {
    "wrong-base-path": ("--binding", "v1p2"),  # the service root does not announce its binding
}


# The grade-passback readiness flow runs on the clean and variant providers and with every write fault;
# the faults a grade sync meets on its way break it too.
PASSBACK = ("--readiness", "grade-passback")
PASSBACK_BREAKS = frozenset({"put-partial-store", "delete-keeps-record", "post-no-pairs", "result-unknown-student"})


def _fault_case(f) -> Case:
    breaks, args = frozenset(f.breaks), CASE_ARGS.get(f.name, ())
    if any(b.startswith("gradebook-write/") for b in f.breaks):
        args = (*args, *PASSBACK)
        breaks |= {"readiness/grade-passback"} if f.name in PASSBACK_BREAKS else frozenset()
    return Case(f.name, (f.name,), breaks, frozenset(f.also), args=args)


def cases() -> list[Case]:
    from oneroster_conformance.provider.faults import FAULTS

    out = [Case("clean", args=PASSBACK), Case("variant", variant=True, args=PASSBACK),
           Case(ROSTERING_ONLY, variant=True)]
    out += [_fault_case(f) for f in FAULTS.values()]
    out.append(Case("no-tls", breaks=frozenset({"transport/tls-required"}), tls=False))
    out.append(Case("untrusted-certificate", breaks=frozenset({"transport/certificate-valid"}), trusted=False))
    return out + cases_v1p1()


# The independently written provider (another stack, every free choice the other way), 1.2 and 1.1.
# Kept apart from cases(): tests/proof/test_independent_provider.py runs them on their own.
INDEPENDENT = {"v1p2": "independent", "v1p1": "independent-v1p1"}


def cases_independent() -> list[Case]:
    return [Case(name, binding=binding, independent=True) for binding, name in INDEPENDENT.items()]


def independent_scopes(binding: str, scopes) -> list[str]:
    """The client list's 1.2 scope URIs as the independent provider names them on this binding."""
    from oneroster_conformance.altprovider.tokens import in_binding

    return [in_binding(s, binding) for s in scopes]


# The 1.1 cases: the Aeries flavour with every consumer's readiness checked, OAuth 1.0a signing, and
# the faults only the 1.1 / Aeries provider has (FAULTS_V1P1).
V1P1_AERIES = dict(binding="v1p1", flavour="aeries", args=("--readiness", "all"))
CLEAN = {"v1p2": "clean", "v1p1": "clean-v1p1"}


def cases_v1p1() -> list[Case]:
    from oneroster_conformance.provider.faults import FAULTS_V1P1

    out = [Case(CLEAN["v1p1"], **V1P1_AERIES), Case("v1p1-oauth1", binding="v1p1", auth="oauth1",
                                                    args=("--auth", "oauth1"))]
    out += [Case(f.name, (f.name,), frozenset(f.breaks), frozenset(f.also), **V1P1_AERIES)
            for f in FAULTS_V1P1.values()]
    return out


class _Certificates:
    def __init__(self, folder: Path) -> None:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca = folder / "ca.pem"
        self.cert = folder / "cert.pem"
        self.key = folder / "key.pem"
        ca.cert_pem.write_to_path(str(self.ca))
        cert.private_key_pem.write_to_path(str(self.key))
        cert.cert_chain_pems[0].write_to_path(str(self.cert))
        for pem in cert.cert_chain_pems[1:]:
            with open(self.cert, "ab") as f:
                f.write(pem.bytes())


def _rank(outcome: str) -> tuple[int, bool]:
    """The shared worst order (fail worst); a pass outranks not-applicable: the requirement was checked."""
    o = Outcome(outcome)
    return o.severity, o is Outcome.PASS


def reduce(results_path: Path) -> dict[str, str]:
    worst: dict[str, str] = {}
    for line in results_path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d.get("type") != "result":
            continue
        rid, outcome = d["requirement"], d["outcome"]
        if rid not in worst or _rank(outcome) > _rank(worst[rid]):
            worst[rid] = outcome
    return worst


def run_case(case: Case, workdir: Path, certs: _Certificates, extra_args: tuple[str, ...] = ()) -> CaseResult:
    from oneroster_conformance.harness import load_builtin_clients

    started = time.monotonic()
    result = CaseResult(case)
    tls = dict(certfile=str(certs.cert), keyfile=str(certs.key)) if case.tls else {}
    folder = workdir / case.name
    folder.mkdir(parents=True, exist_ok=True)
    clients = load_builtin_clients(case.flavour)
    main = clients["conformance-all"]
    scopes = (lambda c: independent_scopes(case.binding, c)) if case.independent else list
    settings: dict = {"name": f"proof-{case.name}", "clients": {
        name: {"client_id": c.client_id, "client_secret": c.client_secret, "scopes": scopes(c.scopes)}
        for name, c in clients.items() if name != "conformance-all"}}
    # The independent 1.1 service refuses a token request without the 1.1 scope URIs: no profile names
    # them, so the case proves the harness asks for them itself.
    profile = folder / "profile.yaml"
    profile.write_text(yaml.safe_dump(settings), encoding="utf-8")
    with _provider(case, tls) as provider:
        args = [sys.executable, "-m", "pytest", str(suites_dir()), "--base-url", provider.base_url,
                "--token-url", provider.token_url, "--client-id", main.client_id, "--profile", str(profile),
                "--rate-limit", "0", "--sweep", "full", "--evidence", "full", "--report-dir", str(folder / "reports"),
                "--allow-writes",  # our own provider on loopback: its Gradebook writes are checked too
                "-q", "-p", "no:cacheprovider", *case.args, *extra_args]
        if case.tls and case.trusted:
            args += ["--ca-bundle", str(certs.ca)]
        elif case.tls:
            args += ["--insecure"]
        env = {**os.environ, "ONEROSTER_CLIENT_SECRET": main.client_secret, "CI": "true"}
        proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600, cwd=str(folder))
    result.exit_status = proc.returncode
    (folder / "terminal.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    results = folder / "reports" / "results.jsonl"
    if results.exists():
        result.outcomes = reduce(results)
    else:
        result.error = (proc.stdout + proc.stderr)[-2000:]
    result.seconds = time.monotonic() - started
    return result


def _provider(case: Case, tls: dict):
    """The running provider a case is judged on: the reference provider, or the independent one."""
    if case.independent:
        from oneroster_conformance.altprovider.server import AltConfig
        from oneroster_conformance.altprovider.server import serve_in_thread as serve_independent

        return serve_independent(AltConfig(binding=case.binding), **tls)
    from oneroster_conformance.provider.config import ProviderConfig
    from oneroster_conformance.provider.server import serve_in_thread

    config = variant_config(rostering_only=case.name == ROSTERING_ONLY) if case.variant else ProviderConfig(
        faults=frozenset(case.faults), binding=case.binding, flavour=case.flavour, auth=case.auth)
    return serve_in_thread(config, **tls)


ROSTERING_ONLY = "variant-rostering-only"


def variant_config(rostering_only: bool = False):
    """A deliberately different provider that is still conformant (issue: conformant variety).

    ``rostering_only``: the reference provider as a SIS serving the Rostering service alone; its
    Gradebook and Resources checks must come out not applicable, never failed."""
    from oneroster_conformance.provider.config import ProviderConfig

    if rostering_only:
        return ProviderConfig(services=frozenset({"rostering"}))
    return ProviderConfig(
        page_cap=40,  # a smaller maximum page, announced through X-Total-Count and Link
        default_order="dateLastModified-desc",  # another stable default order
        unknown_sort="error",  # an unknown sort field answered with an error, not the default order
        unsupported_code_major=True,  # 405 answers carry imsx_codeMajor 'unsupported'
        # discovery under the certification guide's file name, serving the later published OpenAPI revision
        discovery_name="certification", discovery_revision="published",
        # a profile without demographics, which its discovery file says by leaving them out
        omit_operations=frozenset({"getAllDemographics", "getDemographics"}),
        # Gradebook writes the other way: DELETE marks 'tobedeleted', an update answers 200, POST keeps the ids
        delete_marks=True, put_update_status=200, post_keeps_ids=True,
    )


def certificates(folder: Path) -> _Certificates:
    return _Certificates(folder)


def run(selected: list[Case], workers: int = 2, workdir: Path | None = None) -> list[CaseResult]:
    workdir = workdir or Path(tempfile.mkdtemp(prefix="oneroster-proof-"))
    certs = _Certificates(workdir)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda c: run_case(c, workdir, certs), selected))


def judge(results: list[CaseResult]) -> dict:
    """The proof table: coverage, detection, false alarms, per-case findings."""
    from oneroster_conformance.spec.requirements import catalogue

    by_name = {r.case.name: r for r in results}
    cat = catalogue()
    findings: dict[str, list[str]] = {}
    # Each fault is compared with the clean case of its own binding (1.1 faults with the 1.1 clean case).
    baselines = {b: by_name[name].outcomes for b, name in CLEAN.items() if name in by_name}
    for r in results:
        problems = []
        baseline = baselines.get(r.case.binding, {})
        if r.error:
            problems.append(f"run failed: {r.error[-300:]}")
        if r.case.conformant:
            problems += [f"{rid} is {o} on a conformant provider" for rid, o in sorted(r.outcomes.items())
                         if o in BROKEN or o == "errored"]
        else:
            problems += [f"declared {rid} was {r.outcomes.get(rid, 'not run')}" for rid in r.undetected()]
            problems += [f"collateral: {rid} {baseline.get(rid)} -> {o}" for rid, o in sorted(r.outcomes.items())
                         if rid not in r.case.breaks | r.case.also and (o in BROKEN or o == "errored")
                         and baseline.get(rid) not in BROKEN]
        findings[r.case.name] = problems
    broken_by = {rid for r in results if not r.case.conformant for rid in r.case.breaks
                 if r.outcomes.get(rid) in BROKEN}
    gated = [q.id for q in cat if q.level in ("MUST", "SHOULD")]
    faults = [r for r in results if not r.case.conformant]
    baseline = baselines.get("v1p2", {})
    return {
        "requirements": len(list(cat)),
        "requirements_checked_clean": sum(1 for q in cat if baseline.get(q.id) in ("pass", "info")),
        "requirements_broken_by_a_fault": len([q for q in gated if q in broken_by]),
        "requirements_gated": len(gated),
        "faults": len(faults),
        "faults_detected": sum(1 for r in faults if r.case.breaks and not r.undetected()),
        "false_alarms_clean": len(findings.get("clean", [])),
        "false_alarms_variant": len(findings.get("variant", [])) + len(findings.get(ROSTERING_ONLY, [])),
        "false_alarms_v1p1": sum(len(findings.get(r.case.name, [])) for r in results
                                 if r.case.conformant and r.case.binding == "v1p1" and not r.case.independent),
        "false_alarms_independent": {b: len(findings.get(name, [])) for b, name in INDEPENDENT.items()
                                     if name in by_name},
        "collateral": sum(1 for r in faults for p in findings[r.case.name] if p.startswith("collateral")),
        "not_broken_by_any_fault": sorted(set(gated) - broken_by),
        "findings": {k: v for k, v in findings.items() if v},
        "seconds": round(sum(r.seconds for r in results), 1),
    }


def markdown(table: dict) -> str:
    rows = [
        ("requirements in the catalogue", table["requirements"]),
        ("MUST / SHOULD requirements broken by at least one named fault",
         f"{table['requirements_broken_by_a_fault']} / {table['requirements_gated']}"),
        ("faults detected (every requirement each declares fails)", f"{table['faults_detected']} / {table['faults']}"),
        ("false alarms on the clean provider", table["false_alarms_clean"]),
        ("false alarms on the variant providers (different but conformant; Rostering only)",
         table["false_alarms_variant"]),
        ("false alarms on the 1.1 providers (Aeries flavour, OAuth 1.0a)", table["false_alarms_v1p1"]),
        ("collateral failures (a fault failing an undeclared requirement)", table["collateral"]),
    ]
    independent = table.get("false_alarms_independent") or {}
    if independent:
        rows.insert(-1, ("false alarms on the independent provider (1.2 / 1.1)",
                         " / ".join(str(independent.get(b, "not run")) for b in INDEPENDENT)))
    return "| proof | result |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m oneroster_conformance.proof")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--only", nargs="*", help="case names (clean is always included)")
    p.add_argument("--markdown", help="write the proof table as Markdown to this file")
    p.add_argument("--json", help="write the full judgement as JSON to this file")
    a = p.parse_args(argv)
    selected = cases() + cases_independent()
    if a.only:
        wanted = set(a.only)
        binding_of = {c.name: c.binding for c in selected}
        cleans = {CLEAN[binding_of[n]] for n in wanted if n in binding_of} | {"clean"}
        selected = [c for c in selected if c.name in wanted | cleans]
    results = run(selected, a.workers)
    table = judge(results)
    print(markdown(table))
    for name, problems in table["findings"].items():
        for problem in problems:
            print(f"{name}: {problem}")
    if a.markdown:
        Path(a.markdown).write_text(markdown(table), encoding="utf-8")
    if a.json:
        Path(a.json).write_text(json.dumps(table, indent=2), encoding="utf-8")
    return 0 if not table["findings"] and not table["not_broken_by_any_fault"] else 1


if __name__ == "__main__":
    sys.exit(main())
