"""One conformance run: start the server under test, take results, decide the verdict, feed the sinks."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from oneroster_conformance import __version__, checks
from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.client.redaction import REDACTOR
from oneroster_conformance.harness import Harness, PreflightError, embedded_settings
from oneroster_conformance.report.gate import EXIT_PREFLIGHT_FAILED, GateDecision, decide
from oneroster_conformance.report.model import Result
from oneroster_conformance.run.config import RunConfig
from oneroster_conformance.run.sinks import RunInfo, Sink
from oneroster_conformance.spec.requirements import catalogue
from oneroster_conformance.writes.session import Writes

# Areas whose oracle compares text by Unicode collation (string equality in filters, sort order).
COLLATING_AREAS = frozenset({"filter", "sort"})
OUTPUTS = ("results.jsonl", "report.html", "junit.xml")


class Run:
    def __init__(self, config: RunConfig, sinks: list[Sink]) -> None:
        self.config = config
        self.settings = config.settings
        self.sinks = sinks
        self.harness: Harness | None = None
        self.info = RunInfo(meta={}, report_dir=config.report_dir, gate_levels=config.gate_levels,
                            include_non_normative=not config.settings.gate_normative_only)
        self.decision: GateDecision | None = None
        self.exit_status: int | None = None
        self.stopped: str | None = None  # the sentence of a preflight failure
        self.notes: list[str] = []
        self.writes: Writes | None = None  # the run's writer: journal, plan, clean-up (docs/writes.md)

    @property
    def results(self) -> list[Result]:
        return self.info.results

    def start(self, area_totals: dict[str, int], crawl_needed: bool) -> None:
        """Start the server under test and the sinks; when it cannot start, ``stopped`` holds the sentence."""
        self.info.area_totals = dict(area_totals)
        s, provider = self.settings, None
        try:
            if s.base_url is None:
                s, provider = embedded_settings(s)
            self.harness = Harness(s, provider=provider)
            checks.configure(self.harness.binding)
            REDACTOR.enabled = s.evidence_mode == "redacted"
            self.harness.preflight()
            self.notes = list(self.harness.notes)  # what the run does differently from what was configured, and why
            self.harness.start_expiry_clock()  # the expired-token check then waits for (almost) nothing
            if crawl_needed:
                self.harness.crawl.start()  # checks will ask for the crawl: it starts now, in the background
                if area_totals.keys() & COLLATING_AREAS:
                    from oneroster_conformance.query import collation

                    collation.load_in_background()  # the oracle's tables (~26 MB), parsed while the crawl waits
        except PreflightError as e:
            return self._stop(str(e))
        except Exception as e:  # the embedded provider failed to start, etc.
            return self._stop(f"the run could not start: {type(e).__name__}: {MASKER.mask(str(e))}")
        self.writes = Writes(self.harness, self.info.report_dir)
        self.info.meta = self.meta()
        for sink in self.sinks:
            sink.start(self.info)
        # What exists now (modules, collected checks, compiled schemas, the catalogue) lives for the
        # whole run: frozen, the garbage collector stops re-scanning it on every pass.
        gc.freeze()

    def _stop(self, sentence: str) -> None:
        self.close()
        removed = self._remove_previous_report()
        self.stopped = sentence + (f" (the previous report in {self.info.report_dir} was removed, so no one "
                                   "sends a stale one)" if removed else "")
        self.exit_status = EXIT_PREFLIGHT_FAILED

    def _remove_previous_report(self) -> bool:
        removed = False
        for name in OUTPUTS:
            path = Path(self.info.report_dir) / name
            if path.is_file():
                path.unlink()
                removed = True
        return removed

    def meta(self) -> dict[str, object]:
        assert self.harness is not None
        s = self.harness.settings
        return {
            "harness_version": __version__,
            "catalogue_version": catalogue().version,
            "binding": self.harness.binding,
            "target": s.base_url,
            "token_url": MASKER.mask(s.token_url) if s.token_url else None,  # the report's token command
            "embedded": s.embedded,
            "embedded_faults": list(s.embedded_faults),
            "profile": s.profile_name,
            "seed": os.environ.get("ONEROSTER_SEED", "0"),
            "evidence_mode": s.evidence_mode,
            "sweep": s.sweep_mode,
            "authentication": self.harness.auth_meta(),
        }

    def record(self, result: Result) -> None:
        self.results.append(result)
        for sink in self.sinks:
            sink.add(result)

    def finish(self, interrupted_status: int | None = None) -> GateDecision:
        """Decide the verdict and let every sink finish. ``interrupted_status``: pytest's, when it was stopped."""
        gated = self.results
        if self.settings.gate_scope == "readiness":  # only the readiness checks decide the exit status
            gated = [r for r in self.results if r.area == "readiness"]
        self.decision = decide(gated, gate_levels=self.info.gate_levels,
                               include_non_normative=self.info.include_non_normative)
        self.exit_status = interrupted_status if interrupted_status is not None else self.decision.exit_status
        self._certify(interrupted_status is not None)
        if self.writes is not None:  # what the run created is deleted before the report says whether it was
            self.info.writes = self.writes.finish()
            self.info.meta = {**self.info.meta, "writes": self.info.writes}
        if self.harness is not None:
            self.info.requests_sent = self.harness.client.request_count
        for sink in self.sinks:
            sink.finish(self.info, self.decision, self.exit_status)
        return self.decision

    def _certify(self, interrupted: bool) -> None:
        """The verdict per service and profile; a required profile that is not conformant fails the gate."""
        from oneroster_conformance.certificate import verdicts

        if self.harness is None or self.harness.binding != "v1p2" or self.decision is None:
            return  # the profiles are those of OneRoster 1.2's three services
        s = self.harness.settings
        self.info.certificate = verdicts(self.results, self.harness.offers, s.required_profiles,
                                         s.checked_services, self.harness.answered_with_data)
        self.info.meta = {**self.info.meta, "certificate": [v.to_dict() for v in self.info.certificate]}
        unmet = [v for v in self.info.certificate if v.profile.name in s.required_profiles
                 and v.status != "CONFORMANT"]
        if unmet and not interrupted and s.gate_scope != "readiness":
            status = max(self.exit_status or 0, 1)
            names = ", ".join(f"{v.profile.title} ({v.status.lower()})" for v in unmet)
            self.decision.reason = f"NOT CONFORMANT: required profile(s) {names}; exit status {status}."
            self.decision.conformant, self.decision.exit_status = False, status
            self.exit_status = status

    def close(self) -> None:
        if self.writes is not None:
            self.writes.finish()  # a run that ended without finish(): its records are deleted all the same
        if self.harness is not None:
            self.harness.close()
            self.harness = None
