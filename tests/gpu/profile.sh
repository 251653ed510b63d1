#!/usr/bin/env bash
# On the GPU machine, after run.sh (which unpacks the app):
#   bash tests/gpu/profile.sh [CASE] [N]     default: full128 8192
# Nsight Compute's account of one launch of that case's kernel: throughput against the chip's limits, occupancy,
# scheduler issue rate and where warps stall. Writes $OUT/ncu.txt. Clocks are left as they are (--clock-control none).
set -euo pipefail
case=${1:-full128}
n=${2:-8192}
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/out}
mkdir -p "$out" /tmp/kernelgen-profile
ncu=$(command -v ncu || find /opt/nvidia /usr/local -name ncu -type f 2>/dev/null | head -1)
"$ncu" --clock-control none -k regex:AttentionKernel -c 1 \
  --section SpeedOfLight --section Occupancy --section LaunchStats --section SchedulerStats \
  --section WarpStateStats --section ComputeWorkloadAnalysis --section MemoryWorkloadAnalysis \
  /tmp/kernelgen-gpubench/KernelGen.GpuBench --data /tmp/kernelgen-profile --sizes "$n" --cases "$case" > "$out/ncu.txt" 2>&1 || true
cat "$out/ncu.txt"
