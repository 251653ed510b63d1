#!/usr/bin/env bash
# Runs every test project of KernelGen.sln in Release, then the runtime tests again without AVX-512, and ends with one
# line: "N passed, N failed, N skipped", summed over the test runs. Exits non-zero if any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test KernelGen.sln -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The CPU kernels again as a machine without AVX-512 runs them: the 256-bit path, and register blocks for 16 vector
# registers instead of 32 (a constant to the JIT, so only a process started this way compiles them).
DOTNET_EnableAVX512=0 dotnet test tests/KernelGen.Runtime.Tests -c Release --no-build --nologo 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -ne 0 ] && status=1

# dotnet test prints one summary per assembly: "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total: ..."
read -r passed failed skipped < <(grep -E '^(Passed|Failed)! +- Failed:' "$log" | sed -E \
  's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p += $1; f += $2; s += $3} END {print p + 0, f + 0, s + 0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or a test host failed before any test could report: count it, so the line never reads green
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
