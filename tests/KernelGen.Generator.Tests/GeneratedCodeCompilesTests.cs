using System.Linq;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The generated code compiles with no warning: net10.0 reference assemblies and KernelGen.Runtime.dll, nullable on,
/// doc comments checked, every warning wave on. Generated files land in users' builds, often with
/// TreatWarningsAsErrors, so one warning there breaks them.
/// </summary>
public sealed class GeneratedCodeCompilesTests
{
    [Fact]
    public void AllScenariosCompileTogether()
    {
        string[] sources = Scenarios.All.Values.Select(scenario => scenario.Source).ToArray();
        GeneratorHarness.RunAndCompile(sources.Length, sources);
    }

    [Theory]
    [MemberData(nameof(Scenarios.Names), MemberType = typeof(Scenarios))]
    public void ScenarioCompilesOnItsOwn(string scenario) => GeneratorHarness.RunAndCompile(1, Scenarios.All[scenario].Source);

    [Fact]
    public void AllValidEdgeCasesCompileTogether()
    {
        string[] sources = Scenarios.EdgeCases.Values.ToArray();
        GeneratorHarness.RunAndCompile(sources.Length, sources);
    }
}
