#!/usr/bin/env bash
# On the GPU machine, in one call (it has CUDA and PyTorch, no .NET):
#   bash tests/gpu/run.sh          with app.tar.xz from build.sh carried beside this script
# Unpacks the self-contained benchmark, runs it on the GPU the chooser finds, and compares with PyTorch SDPA;
# the table lands in $OUT/results.md, the logs beside it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/out}
app=/tmp/kernelgen-gpubench
data=/tmp/kernelgen-gpubench-data
mkdir -p "$out" "$app" "$data"
tar -xJf "$here/app.tar.xz" -C "$app"
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > "$out/gpu.txt" 2>&1 || true
# Registers, shared memory and spills of each kernel as ptxas compiles it for the H100/H200 (sm_90).
"$app/KernelGen.GpuBench" --ptx /tmp/kernelgen-ptx
ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
for ptx in /tmp/kernelgen-ptx/*.ptx; do
  echo "== $(basename "$ptx")"
  "$ptxas" -arch=sm_90 -v "$ptx" -o /dev/null 2>&1 || true
done > "$out/ptxas.txt"
cat "$out/ptxas.txt"
# Every kind of kernel against float64 on the GPU, then the timed shapes.
"$app/KernelGen.GpuBench" --check 2>&1 | tee "$out/kernelgen.log"
"$app/KernelGen.GpuBench" --data "$data" "$@" 2>&1 | tee -a "$out/kernelgen.log"
PYTHONUNBUFFERED=1 python3 "$here/compare.py" "$data" "$out/results.md" 2>&1 | tee "$out/compare.log"
cat "$out/results.md"
