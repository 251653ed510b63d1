using System.Collections.Generic;
using ApprovalTests;
using ApprovalTests.Namers;
using ApprovalTests.Writers;
using ILGPU.Runtime.Cuda;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Gpu.Tests;

/// <summary>
/// PTX for SM_80 (A100) and SM_90 (H100/H200), compiled in the test process, for representative kernels: one lane
/// per row (head dim 8), 4 lanes × 16 dims (64), 8 × 16 (128), 16 × 16 (256), 8 × 17 (136), and linear attention.
/// The unrolled accumulators must stay in registers: any ld.local/st.local means ILGPU put per-thread data in local
/// memory, and fails the test. (Whether ptxas later spills registers can only be seen on a machine with ptxas.)
/// </summary>
[UseApprovalSubdirectory("Snapshots")]
public sealed class PtxTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Cases()
    {
        string[] kernels = ["Softmax8Full", "Softmax64GqaCausal", "Softmax128Causal", "Softmax256Causal", "Softmax136Window9", "Linear64CausalWindow8"];
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
        // Three barriers per tile: after staging K/V, after the partial dot products, before the next tile.
        Assert.Equal(3, PtxCompiler.Count(ptx, "bar.sync"));
        // K tile, V tile and partial sums live in shared memory.
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(ptx, @"\.shared \.align 4 \.b8 __shared_alloca\d+\[\d+\]").Count);
        Assert.True(PtxCompiler.Count(ptx, "ld.shared") > 0 && PtxCompiler.Count(ptx, "st.shared") > 0, "no shared-memory traffic");
        if (kernel.Config.Kind == AttentionKind.Softmax)
            Assert.True(PtxCompiler.Count(ptx, "ex2.approx") > 0, "softmax without exp2");
        Assert.True(localLoads == 0 && localStores == 0,
            $"{name} {architecture}: {localLoads} ld.local and {localStores} st.local: per-thread data went to local memory.");
    }

    [Fact]
    public void Snapshot()
    {
        string ptx = PtxCompiler.Compile(GpuKernelCatalog.All["Softmax64GqaCausal"], CudaArchitecture.SM_90, CudaInstructionSet.ISA_83);
        string stable = PtxCompiler.WithoutProcessNumbering(ptx);
        Approvals.Verify(new ApprovalTextWriter(stable, "ptx"));
    }
}
