#!/usr/bin/env bash
# The one test command: starts a throwaway PostgreSQL server (scripts/postgres.sh), finds or installs
# Debian's Chromium for the browser tests (scripts/chromium.sh), runs every test
# project of the solution in Release against it, stops the server again and exits with the test result.
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "FullyQualifiedName~Integration".
# A full run (no arguments) then runs the deployment topology on loopback (deploy/loopback.sh run) and
# the crash test on its own (./test.sh --filter "Category=CrashTest" runs only that).
# A server that was already running (scripts/postgres.sh start by hand) is reused and left running.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

results_dir=".artifacts/test-results"

started_server=false
stop_server() {
    if [[ "$started_server" == true ]]; then
        scripts/postgres.sh stop >/dev/null 2>&1 || true
    fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM

if connection="$(scripts/postgres.sh status 2>/dev/null)"; then
    echo "test.sh: reusing the PostgreSQL server that is already running" >&2
else
    connection="$(scripts/postgres.sh start)" || { echo "test.sh: could not start PostgreSQL" >&2; exit 1; }
    started_server=true
fi
export TENANTBILLING_TEST_POSTGRES="$connection"

# Debian's Chromium for the browser tests (the API reference page), installed when missing.
chromium="$(scripts/chromium.sh path)" || { echo "test.sh: Chromium is needed for the browser tests (scripts/chromium.sh)" >&2; exit 1; }
export TENANTBILLING_TEST_CHROMIUM="$chromium"

rm -rf "$results_dir"
dotnet build TenantBilling.sln -c Release -nologo -v quiet || exit
# A full run keeps the crash test (tests/Integration.Tests/CrashTest.cs) for a step of its own below.
filter=(); [[ $# -eq 0 ]] && filter=(--filter "Category!=CrashTest")
dotnet test TenantBilling.sln -c Release --no-build -nologo -v quiet --logger trx --results-directory "$results_dir" "${filter[@]}" "$@"
status=$?

topology="skipped (arguments given)"
crash="skipped (arguments given)"
if [[ $# -eq 0 ]]; then
    if deploy/loopback.sh run "$connection"; then topology="passed"; else topology="FAILED"; status=1; fi
    # The crash test alone on the machine, printing what it did and the counts.
    if dotnet test tests/Integration.Tests -c Release --no-build -nologo --filter "Category=CrashTest" \
        --logger "console;verbosity=detailed" --logger trx --results-directory "$results_dir"; then crash="passed"; else crash="FAILED"; status=1; fi
fi

# One closing line over all test projects, summed from their TRX reports.
total_of() {
    cat "$results_dir"/*.trx 2>/dev/null | grep -o "<Counters [^>]*" | grep -o " $1=\"[0-9]*\"" |
        grep -o "[0-9]*" | awk '{ sum += $1 } END { print sum + 0 }'
}
passed="$(total_of passed)"
failed=$(( $(total_of failed) + $(total_of error) + $(total_of timeout) + $(total_of aborted) ))
skipped="$(total_of notExecuted)"
echo
echo "Loopback topology (3 silos + API): $topology"
echo "Crash test (1,000 tenants, Stripe faults, kill -9, rolling restart): $crash"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
# Each failed test's name and the start of its message, so a CI log alone says what broke.
if [[ "$failed" -gt 0 ]]; then
    echo "Failed:"
    perl -0777 -ne '
        my %unescape = (amp => "&", lt => "<", gt => ">", quot => "\"", apos => "\x27");
        while (/<UnitTestResult\b([^>]*outcome="(?:Failed|Error|Timeout|Aborted)"[^>]*)>(.*?)<\/UnitTestResult>/gs) {
            my ($attributes, $body) = ($1, $2);
            my ($name) = $attributes =~ /testName="([^"]*)"/;
            my ($message) = $body =~ /<Message>(.*?)<\/Message>/s;
            $message //= "(no message)";
            s/&(\w+);/$unescape{$1} \/\/ "&$1;"/ge for $name, $message;
            my @lines = split /\n/, $message;
            print "  $name\n", map({ "      $_\n" } @lines[0 .. ($#lines < 19 ? $#lines : 19)]);
        }' "$results_dir"/*.trx 2>/dev/null
fi
exit "$status"
