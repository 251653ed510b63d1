using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Package.Tests;

/// <summary>
/// `dotnet pack` of the runtime project, then a fresh project outside the repository that references only the
/// KernelGen package from a local folder feed: it must build (the generator runs from analyzers/dotnet/cs), and its
/// two declared kernels must run and match the float64 reference.
/// </summary>
public sealed class PackageConsumerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("kernelgen-package-").FullName;

    [Fact]
    public void PackedPackageAloneBuildsAndRunsAConsumer()
    {
        string repository = FindRepositoryRoot();
        string feed = Path.Combine(_work, "feed");
        string version = "0.1.0-packagetest";

        // Separate artifacts keep this pack from touching the bin/obj folders of the build that runs the tests.
        Run(repository, "pack", "runtime/KernelGen.Runtime.csproj", "-c", "Release", "-o", feed,
            "--artifacts-path", Path.Combine(_work, "artifacts"), $"-p:Version={version}");
        string package = Path.Combine(feed, $"KernelGen.{version}.nupkg");
        Assert.True(File.Exists(package), $"dotnet pack did not write {package}");
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("lib/net10.0/KernelGen.Runtime.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/KernelGen.Generator.dll", entries);
        }

        string consumer = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(consumer);
        string template = Path.Combine(AppContext.BaseDirectory, "Consumer");
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"),
            File.ReadAllText(Path.Combine(template, "Consumer.csproj.template")).Replace("$VERSION$", version));
        File.Copy(Path.Combine(template, "Program.cs"), Path.Combine(consumer, "Program.cs"));
        // Adds the folder feed to the machine's sources; names no remote source.
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="kernelgen-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);

        string printed = Run(consumer, "run", "-c", "Release");
        Assert.Contains("generated kernels: 2", printed);
        Assert.Contains("CausalGqa max error:", printed);
        Assert.Contains("LinearAttention max error:", printed);
    }

    /// <summary>Runs dotnet in <paramref name="directory"/>, fails the test on a non-zero exit, returns stdout.</summary>
    private string Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // The test host runs under `dotnet test`; its MSBuild variables would point the child build at the wrong SDK state.
        foreach (string name in start.Environment.Keys.Where(n => n.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        // A private package folder: this run's KernelGen package never meets a cached one of the same version.
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_work, "packages");

        using Process process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        output.WriteLine($"$ dotnet {string.Join(' ', arguments)}  (in {directory})\n{stdout}{stderr.Result}");
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        return stdout;
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KernelGen.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"KernelGen.sln not found above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never mask the test's own result.
        }
    }
}
