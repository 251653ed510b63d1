using System.Collections.Generic;
using ApprovalTests;
using ApprovalTests.Namers;
using ApprovalTests.Writers;
using ILGPU.Runtime.Cuda;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Gpu.Tests;

/// <summary>
/// PTX for SM_80 (A100) and SM_90 (H100/H200), compiled in the test process, for representative kernels: output
/// blocks of 4 rows × 1 dim (head dim 8), 4 × 8 in 4-float chunks (64), 4 × 16 (128), 2 × 32 with 16-row tiles (256),
/// 4 × 17 in single floats (136), and linear attention, explicit (windowed) and chunked. The unrolled accumulators must stay in registers: any
/// ld.local/st.local means ILGPU put per-thread data in local memory, and fails the test. (Whether ptxas later spills
/// registers is seen on a machine with ptxas: tests/gpu/run.sh reports it.)
/// </summary>
[UseApprovalSubdirectory("Snapshots")]
public sealed class PtxTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Cases()
    {
        string[] kernels = ["Softmax8Full", "Softmax64GqaCausal", "Softmax128Causal", "Softmax256Causal", "Softmax136Window9", "Linear64CausalWindow8",
            "Linear40GqaCausal"];
        foreach (string kernel in kernels)
        {
            yield return [kernel, CudaArchitecture.SM_80, CudaInstructionSet.ISA_80];
            yield return [kernel, CudaArchitecture.SM_90, CudaInstructionSet.ISA_83];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CompilesWithBarriersSharedTilesAndNoLocalMemory(string name, CudaArchitecture architecture, CudaInstructionSet instructionSet)
    {
        GpuKernel kernel = GpuKernelCatalog.All[name];

        string ptx = PtxCompiler.Compile(kernel, architecture, instructionSet);

        int localLoads = PtxCompiler.Count(ptx, "ld.local"), localStores = PtxCompiler.Count(ptx, "st.local");
        output.WriteLine($"{name} {architecture}: {ptx.Length} chars, bar.sync {PtxCompiler.Count(ptx, "bar.sync")}, " +
            $"ld.shared {PtxCompiler.Count(ptx, "ld.shared")}, st.shared {PtxCompiler.Count(ptx, "st.shared")}, " +
            $"shfl {PtxCompiler.Count(ptx, "shfl")}, ld.local {localLoads}, st.local {localStores}");

        Assert.Contains($".version {instructionSet}", ptx, System.StringComparison.Ordinal);
        // ILGPU 1.5.3 writes ".target sm_80" for every architecture from SM_80 up (SM_86 and SM_90 too, checked);
        // the driver JIT-compiles sm_80 PTX for newer GPUs.
        Assert.Contains(".target sm_80", ptx, System.StringComparison.Ordinal);
        Assert.Contains(".visible .entry", ptx, System.StringComparison.Ordinal);
        // Four barriers per key tile (before staging k, after it, after the scores, after the weights and v) and two
        // around the owners' final factors.
        Assert.Equal(6, PtxCompiler.Count(ptx, "bar.sync"));
        // The q tile, the k/v tile, the weights and the row factors live in shared memory, 16-byte aligned for vectors.
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(ptx, @"\.shared \.align 16 \.b8 __shared_alloca\d+\[\d+\]").Count);
        // q and k are read four floats at a time, and scores stored as one vector per key.
        Assert.True(PtxCompiler.Count(ptx, "ld.shared.v4.f32") > 0, "q and k not read as vectors");
        Assert.True(PtxCompiler.Count(ptx, $"st.shared.v{kernel.Config.HeadDim switch { > 160 => 2, _ => 4 }}.f32") > 0, "scores not stored as vectors");
        if (kernel.Config.Kind == AttentionKind.Softmax)
            Assert.True(PtxCompiler.Count(ptx, "ex2.approx") > 0, "softmax without exp2");
        Assert.True(localLoads == 0 && localStores == 0,
            $"{name} {architecture}: {localLoads} ld.local and {localStores} st.local: per-thread data went to local memory.");
    }

    /// <summary>The prefix-state kernel of chunked linear attention: its state rows stay in registers too.</summary>
    public static IEnumerable<object[]> Architectures() =>
    [
        [CudaArchitecture.SM_80, CudaInstructionSet.ISA_80],
        [CudaArchitecture.SM_90, CudaInstructionSet.ISA_83],
    ];

    [Theory]
    [MemberData(nameof(Architectures))]
    public void LinearStateKernelCompilesWithoutLocalMemory(CudaArchitecture architecture, CudaInstructionSet instructionSet)
    {
        GpuKernel kernel = GpuKernelCatalog.All["Linear40GqaCausal"];

        string ptx = GpuPtx.Compile(kernel.Gpu.GetMethod("LinearStateKernel")!, architecture, instructionSet);

        Assert.Contains(".visible .entry", ptx, System.StringComparison.Ordinal);
        Assert.Equal(2, PtxCompiler.Count(ptx, "bar.sync"));
        Assert.Equal(0, PtxCompiler.Count(ptx, "ld.local") + PtxCompiler.Count(ptx, "st.local"));
    }

    [Fact]
    public void Snapshot()
    {
        string ptx = PtxCompiler.Compile(GpuKernelCatalog.All["Softmax64GqaCausal"], CudaArchitecture.SM_90, CudaInstructionSet.ISA_83);
        string stable = PtxCompiler.WithoutProcessNumbering(ptx);
        Approvals.Verify(new ApprovalTextWriter(stable, "ptx"));
    }
}
