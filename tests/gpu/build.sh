#!/usr/bin/env bash
# Here (with .NET): publishes the benchmark self-contained for linux-x64 and packs it as tests/gpu/app.tar.xz
# (about 27 MB; the GPU machine takes 64 MiB in all), then runs its CPU-accelerator path on a tiny shape as a check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/publish" "$here/app.tar.xz"
dotnet publish "$here/KernelGen.GpuBench" -c Release -r linux-x64 --self-contained -o "$here/publish" --nologo
tar -cJf "$here/app.tar.xz" -C "$here/publish" .
ls -l "$here/app.tar.xz"
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
"$here/publish/KernelGen.GpuBench" --data "$check" --cpu
