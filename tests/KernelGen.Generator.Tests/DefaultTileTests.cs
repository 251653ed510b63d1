using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The flash tiles the generator bakes in when the attribute leaves them at 0: 64 queries, and 128 keys only where the
/// packed key tile fits 32 KiB (head dim ≤ 64) and no window shorter than 512 keys would leave most of it masked.
/// </summary>
public sealed class DefaultTileTests
{
    [Theory]
    [InlineData("8", 128)]
    [InlineData("32", 128)]
    [InlineData("64", 128)]
    [InlineData("64, Heads = 8, KvHeads = 2, Causal = true", 128)]
    [InlineData("64, Causal = true, Window = 512", 128)]
    [InlineData("64, Causal = true, Window = 511", 64)]
    [InlineData("64, Window = 32", 64)]
    [InlineData("72", 64)]
    [InlineData("128", 64)]
    [InlineData("256", 64)]
    [InlineData("64, TileKv = 32", 32)]
    [InlineData("128, TileKv = 128", 128)]
    public void KeyTile(string arguments, int tileKv)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using KernelGen;

            [Attention({{arguments}})]
            public static partial class K;
            """);

        string source = Assert.Single(run.KernelSources).SourceText.ToString();
        Assert.Contains($"public const int TileKv = {tileKv};", source);
        Assert.Contains("public const int TileQ = 64;", source);
    }
}
