"""Checks KernelGen's GPU outputs against PyTorch's scaled_dot_product_attention and times both.

Usage: python3 compare.py DATA_DIR RESULTS_MD
Reads DATA_DIR/cases.csv and each case's raw float32 q, k, v and output ([1, heads, n, d]) written by
KernelGen.GpuBench, runs torch SDPA in fp32 on the same inputs (TF32 off, so both sides are true fp32), and writes
a markdown table to RESULTS_MD.
"""
import csv
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

# H200 (and H100 SXM) fp32 peak without tensor cores: 132 SMs x 128 FP32 lanes x 2 flops x ~1.98 GHz boost.
FP32_PEAK_TFLOPS = 66.9


def load(path, shape):
    return torch.from_numpy(np.fromfile(path, dtype=np.float32).reshape(shape)).cuda()


def time_ms(fn, reps=20):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def sdpa_kernels(q, k, v, causal):
    """The CUDA kernels one SDPA call launches: which backend PyTorch picked for fp32 (and whether it uses tensor cores)."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as profile:
        F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        torch.cuda.synchronize()
    return sorted({event.key for event in profile.key_averages() if event.device_type == torch.autograd.DeviceType.CUDA})


def main(data, results):
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    rows = []
    for case in csv.DictReader(open(Path(data) / "cases.csv")):
        n, d, heads, causal = int(case["n"]), int(case["d"]), int(case["heads"]), case["causal"] == "1"
        prefix = Path(data) / f"{case['case']}_{n}"
        shape = (1, heads, n, d)
        q, k, v, ours = (load(f"{prefix}.{part}.bin", shape) for part in ("q", "k", "v", "out"))
        with torch.no_grad():
            expected = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
            max_diff = (ours - expected).abs().max().item()
            torch_ms = time_ms(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal))
            if not rows:
                print("SDPA kernels:", sdpa_kernels(q, k, v, causal), flush=True)
        flops = 4.0 * heads * n * n * d * (0.5 if causal else 1.0)
        torch_tflops = flops / (torch_ms * 1e-3) / 1e12
        ours_tflops = float(case["tflops"])
        rows.append((case["case"], n, d, "causal" if causal else "full", float(case["median_ms"]), ours_tflops,
                     torch_ms, torch_tflops, ours_tflops / torch_tflops, 100 * ours_tflops / FP32_PEAK_TFLOPS, max_diff))
        print(rows[-1], flush=True)

    with open(results, "w") as out:
        out.write(f"GPU: {torch.cuda.get_device_name()}, torch {torch.__version__}, fp32 (TF32 off), B=1, H=16\n\n")
        out.write("| case | N | D | mask | KernelGen ms | KernelGen TFLOP/s | SDPA ms | SDPA TFLOP/s | KernelGen / SDPA "
                  f"| % of fp32 peak ({FP32_PEAK_TFLOPS}) | max abs diff |\n")
        out.write("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
        for name, n, d, mask, ms, tf, tms, ttf, ratio, peak, diff in rows:
            out.write(f"| {name} | {n} | {d} | {mask} | {ms:.3f} | {tf:.2f} | {tms:.3f} | {ttf:.2f} | {ratio:.2f}x "
                      f"| {peak:.1f}% | {diff:.2e} |\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
