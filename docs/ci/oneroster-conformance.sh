#!/usr/bin/env bash
# Run the OneRoster conformance gate in any CI: install the harness, test the provider named by the
# CI's secret store, keep the reports, and fail the pipeline by the gate (exit status of the run).
#
# Inputs (environment; put the secret in your CI system's secret store, never in the file):
#   ONEROSTER_BASE_URL       service root, e.g. https://sis.example.org/ims/oneroster/rostering/v1p2
#   ONEROSTER_TOKEN_URL      OAuth 2 token endpoint
#   ONEROSTER_CLIENT_ID      client id
#   ONEROSTER_CLIENT_SECRET  client secret
#   HARNESS_SPEC             what pip installs (default: the harness from PyPI; a path or git URL works)
#   REPORT_DIR               where the reports go (default: oneroster-reports)
#   EXTRA_ARGS               more harness options, shell-quoted, e.g. "--strict --expectations expectations.yaml"
#   ONEROSTER_SKIP_INSTALL   1 = use the python already on PATH (the harness is installed)
set -euo pipefail
: "${ONEROSTER_BASE_URL:?set ONEROSTER_BASE_URL to the service root of the provider}"
: "${ONEROSTER_CLIENT_ID:?set ONEROSTER_CLIENT_ID}"
: "${ONEROSTER_CLIENT_SECRET:?set ONEROSTER_CLIENT_SECRET from your CI secret store}"
REPORT_DIR="${REPORT_DIR:-oneroster-reports}"
PY=python3
if [ "${ONEROSTER_SKIP_INSTALL:-0}" != "1" ]; then
  python3 -m venv .oneroster-venv
  PY=.oneroster-venv/bin/python
  "$PY" -m pip install --quiet --upgrade pip
  "$PY" -m pip install --quiet "${HARNESS_SPEC:-oneroster-conformance}"
fi
eval "set -- ${EXTRA_ARGS:-}"  # EXTRA_ARGS is shell-quoted options, set by the pipeline author
status=0
"$PY" -m oneroster_conformance.cli --report-dir "$REPORT_DIR" "$@" || status=$?
echo "OneRoster conformance: exit status $status; JUnit at $REPORT_DIR/junit.xml, report at $REPORT_DIR/report.html"
exit "$status"
