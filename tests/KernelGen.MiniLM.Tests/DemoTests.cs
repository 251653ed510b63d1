using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace KernelGen.MiniLM.Tests;

/// <summary>The demo as a user runs it: a separate process, its exit code and its output.</summary>
public class DemoTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"kernelgen-demo-{Guid.NewGuid():N}");

    [Fact]
    public void The_quick_demo_checks_everything_and_draws_the_heatmaps()
    {
        (int exitCode, string output, string errors) = Run("--quick", "--threads", "2", "--out", _folder);

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}\n{errors}");
        Assert.Contains("every variant matches the float64 reference", output);
        Assert.Contains("KernelGen's encoder matches ONNX Runtime", output);
        Assert.Contains("padded batch of the 3 sentences", output);
        Assert.Contains("KernelGen / ONNX Runtime time:", output);
        string heads = Path.Combine(_folder, "minilm-layer2-heads.png"), variants = Path.Combine(_folder, "minilm-layer2-head11-variants.png");
        Assert.Contains($"wrote {heads}", output);
        Assert.Contains($"wrote {variants}", output);
        AttentionMapTests.AssertDrawn(heads, (1680, 40 + 3 * 420));
        AttentionMapTests.AssertDrawn(variants, (1680, 40 + 420));
    }

    [Theory]
    [InlineData("--frobnicate", "unknown argument '--frobnicate'; try --help")]
    [InlineData("--threads", "--threads needs a value; try --help")]
    [InlineData("--threads 0", "--threads needs a whole number from 1 up, not '0'; try --help")]
    [InlineData("--out", "--out needs a value; try --help")]
    public void A_bad_option_gives_one_line_and_exit_code_2(string arguments, string message)
    {
        (int exitCode, string output, string errors) = Run(arguments.Split(' '));

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Equal(message, errors.TrimEnd('\n', '\r'));
    }

    [Fact]
    public void Help_prints_the_usage_and_succeeds()
    {
        (int exitCode, string output, _) = Run("--help");

        Assert.Equal(0, exitCode);
        Assert.StartsWith("usage: KernelGen.Demo", output);
        Assert.Contains("--threads N", output);
    }

    private static (int ExitCode, string Output, string Errors) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KernelGen.Demo.dll"));
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errors.Result);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }
}
