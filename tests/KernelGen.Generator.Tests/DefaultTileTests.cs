using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The flash tiles the generator bakes in when the attribute leaves them at 0: 64 queries; 128 keys only where the
/// packed key tile fits 32 KiB (head dim ≤ 64) and no window shorter than 512 keys would leave most of it masked; and on
/// the 512-bit path (head dims that are multiples of 16) 64 keys, so that a tile row is one score block. A tile the
/// attribute sets holds on every path.
/// </summary>
public sealed class DefaultTileTests
{
    [Theory]
    [InlineData("8", 128, null)]
    [InlineData("32", 128, 64)]
    [InlineData("64", 128, 64)]
    [InlineData("64, Heads = 8, KvHeads = 2, Causal = true", 128, 64)]
    [InlineData("64, Causal = true, Window = 512", 128, 64)]
    [InlineData("64, Causal = true, Window = 511", 64, 64)]
    [InlineData("64, Window = 32", 64, 64)]
    [InlineData("72", 64, null)]
    [InlineData("128", 64, 64)]
    [InlineData("256", 64, 64)]
    [InlineData("64, TileKv = 32", 32, 32)]
    [InlineData("64, TileKv = 128", 128, 128)]
    [InlineData("128, TileKv = 128", 128, 128)]
    public void KeyTile(string arguments, int tileKv, int? tileKv512)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using KernelGen;

            [Attention({{arguments}})]
            public static partial class K;
            """);

        string source = Assert.Single(run.KernelSources).SourceText.ToString();
        Assert.Contains($"public const int TileKv = {tileKv};", source);
        Assert.Contains("public const int TileQ = 64;", source);
        // The 256-bit path (every head dim) runs the class's key tile; the 512-bit path, where there is one, its own.
        Assert.Contains($"private const int TileKv256 = {tileKv};", source);
        if (tileKv512 is int keys)
            Assert.Contains($"private const int TileKv512 = {keys};", source);
        else
            Assert.DoesNotContain("TileKv512", source);
    }
}
