#!/usr/bin/env bash
# CPU profile of the API process during an end-to-end benchmark's measured window, with `perf`.
#
#   tests/Benchmarks/Profiling/profile-api.sh OUT SECONDS BENCHMARK [benchmark options...]
#   e.g. tests/Benchmarks/Profiling/profile-api.sh /tmp/fleet 40 billing-fleet --store memory --accounts 30
#
# Runs the benchmark (Release, already built) with the JIT's perf map on and W^X off (so perf can name
# jitted frames), waits for its "measuring" line, samples the API process at 299 Hz with call stacks for
# SECONDS, then prints perf-summary.py's report. Leaves OUT.txt (benchmark output), OUT.perf (perf data)
# and OUT.script (perf script). Needs perf (apt-get install linux-perf) and python3. Frames of
# precompiled framework code show as ?<dll>, native runtime frames as ?libcoreclr.so.
set -euo pipefail
out=$1; seconds=$2; benchmark=$3; shift 3
repo=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$repo"
dotnet run -c Release --no-build --project tests/Benchmarks -- "$benchmark" \
  --api-env "DOTNET_PerfMapEnabled=1;DOTNET_EnableWriteXorExecute=0" "$@" > "$out.txt" 2>&1 &
bench=$!
until grep -q "^measuring" "$out.txt"; do
  kill -0 "$bench" 2>/dev/null || { cat "$out.txt"; exit 1; }
  sleep 0.5
done
api=$(grep -oP "API process \K[0-9]+" "$out.txt" | tail -1)
perf record -F 299 -g -p "$api" -o "$out.perf" -- sleep "$seconds" > /dev/null 2>&1
wait "$bench"
perf script -i "$out.perf" -F comm,tid,ip,sym,dso 2> /dev/null > "$out.script"
grep -E "invoices/s|CPU over" "$out.txt" || true
python3 "$(dirname "$0")/perf-summary.py" "$out.script"
