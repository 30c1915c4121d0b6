#!/usr/bin/env bash
# The step of action.yml (the GitHub composite Action). Its inputs come as DRIFTCHECK_*
# variables (never interpolated into the script: no injection); it runs
# `python3 driftcheck.pyz check`, which writes the annotations and appends the step
# summary itself (GITHUB_ACTIONS=true), then writes the step outputs verdict, findings
# and failing to $GITHUB_OUTPUT from the JSON report, and exits with check's code.
set -uo pipefail

fail() { echo "driftcheck: $*" >&2; exit 2; }

case "$DRIFTCHECK_PYZ_SOURCE" in
    https://*)
        pyz="${RUNNER_TEMP:-/tmp}/driftcheck-$DRIFTCHECK_VERSION.pyz"
        if [ ! -f "$pyz" ]; then
            python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
                "$DRIFTCHECK_PYZ_SOURCE" "$pyz.part" || fail "could not download $DRIFTCHECK_PYZ_SOURCE"
            mv "$pyz.part" "$pyz"
        fi ;;
    *) pyz="$DRIFTCHECK_PYZ_SOURCE" ;;
esac
[ -f "$pyz" ] || fail "$pyz does not exist; commit driftcheck.pyz there (python3 scripts/build_zipapp.py in driftcheck's repository builds it) or set the action's pyz input"
found="$(python3 "$pyz" --version)" || fail "python3 could not run $pyz"
[ "$found" = "driftcheck $DRIFTCHECK_VERSION" ] ||
    fail "$pyz is $found, not driftcheck $DRIFTCHECK_VERSION; replace the file or set the action's version input"

args=(check --baseline "$DRIFTCHECK_BASELINE" --target "$DRIFTCHECK_TARGET")
[ -n "$DRIFTCHECK_FAIL_ON" ] && args+=(--fail-on "$DRIFTCHECK_FAIL_ON")
[ -n "$DRIFTCHECK_POLICY" ] && args+=(--policy "$DRIFTCHECK_POLICY")

if [ "$DRIFTCHECK_UPDATE" = "true" ]; then
    python3 "$pyz" "${args[@]}" --update-baseline
    exit $?
fi

mkdir -p "$DRIFTCHECK_REPORTS"
json="$DRIFTCHECK_REPORTS/driftcheck-report.json"
rm -f "$json"
python3 "$pyz" "${args[@]}" \
    --json "$json" \
    --junit "$DRIFTCHECK_REPORTS/driftcheck-junit.xml" \
    --markdown "$DRIFTCHECK_REPORTS/driftcheck-report.md"
status=$?

if [ -f "$json" ] && [ -n "${GITHUB_OUTPUT:-}" ]; then
    python3 - "$json" >>"$GITHUB_OUTPUT" <<'EOF'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    report = json.load(handle)
check = report["check"]
print("verdict=" + ("passed" if check["passed"] else "failed"))
print(f"findings={len(report['findings'])}")
print(f"failing={check['failing']}")
EOF
fi
exit "$status"
