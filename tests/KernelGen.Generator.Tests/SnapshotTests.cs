using ApprovalTests;
using ApprovalTests.Namers;
using ApprovalTests.Writers;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The generated CPU file for each representative configuration, and one GPU file,, compared with Snapshots/*.approved.cs. A change to an
/// emitter shows up as a readable diff; approve it by renaming .received.cs to .approved.cs after reading it.
/// </summary>
[UseApprovalSubdirectory("Snapshots")]
public sealed class SnapshotTests
{
    [Theory]
    [MemberData(nameof(Scenarios.Names), MemberType = typeof(Scenarios))]
    public void GeneratedSource(string scenario)
    {
        Scenarios.Scenario input = Scenarios.All[scenario];
        GeneratorRun run = GeneratorHarness.RunClean(input.Source);

        GeneratedSourceResult generated = Assert.Single(run.KernelSources);
        Assert.Equal(input.HintName, generated.HintName);
        using (ApprovalResults.ForScenario(scenario))
        {
            Approvals.Verify(new ApprovalTextWriter(generated.SourceText.ToString(), "cs"));
        }
    }

    /// <summary>The GPU file of one configuration: grouped-query, causal, windowed, 4 lanes of 16 dims per row.</summary>
    [Fact]
    public void GeneratedGpuSource()
    {
        Scenarios.Scenario input = Scenarios.All["GqaCausalSlidingWindow"];
        GeneratorRun run = GeneratorHarness.RunClean(input.Source);

        GeneratedSourceResult generated = Assert.Single(run.GpuSources);
        Assert.Equal("Models.Attention.GqaSlidingWindow.Gpu.g.cs", generated.HintName);
        Approvals.Verify(new ApprovalTextWriter(generated.SourceText.ToString(), "cs"));
    }
}
