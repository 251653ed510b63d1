using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Ways of declaring the attributed class that are valid C# and must give a file that compiles cleanly: access
/// modifiers around it, keyword names, [Obsolete], [Attention] written twice.
/// </summary>
public sealed class DeclarationTests
{
    private const string RegistrationComment = "// Not registered with AttentionKernels";

    /// <summary>
    /// An assembly attribute can name only a class that it and its containing types make visible to the whole
    /// assembly; the others are not registered (CS0122 otherwise) but still get their Forward.
    /// </summary>
    [Theory]
    [InlineData("public", true)]
    [InlineData("internal", true)]
    [InlineData("protected internal", true)]
    [InlineData("", false)] // a nested class without a modifier is private
    [InlineData("private", false)]
    [InlineData("protected", false)]
    [InlineData("private protected", false)]
    public void NestedAccessibilityDecidesRegistration(string accessibility, bool registered)
    {
        string source = $$"""
            using KernelGen;

            namespace Access;

            /// <summary>The containing type.</summary>
            public partial class Outer
            {
                /// <summary>The kernel.</summary>
                [Attention(64)]
                {{accessibility}} static partial class Inner;
            }
            """;

        GeneratorRun run = GeneratorHarness.RunAndCompile(1, source);

        string text = run.Sources[0].SourceText.ToString();
        Assert.Equal(registered, text.Contains("[assembly: KernelGen.GeneratedAttentionKernel(typeof(global::Access.Outer.Inner.Kernel))]"));
        Assert.Equal(!registered, text.Contains(RegistrationComment));
    }

    [Fact]
    public void TopLevelClassWithoutModifierIsInternalAndRegistered()
    {
        GeneratorRun run = GeneratorHarness.RunAndCompile(1, """
            using KernelGen;

            [Attention(64)]
            static partial class Implicit;
            """);
        Assert.Contains("typeof(global::Implicit.Kernel)", run.Sources[0].SourceText.ToString());
    }

    /// <summary>Keywords as names need their '@' in code; the hint name and Name hold the plain names.</summary>
    [Fact]
    public void KeywordNamesAreEscapedInCode()
    {
        GeneratorRun run = GeneratorHarness.RunAndCompile(1, """
            using KernelGen;

            namespace @class.Models;

            /// <summary>A keyword-named containing type.</summary>
            public partial class @params
            {
                /// <summary>A keyword-named kernel.</summary>
                [Attention(64)]
                public static partial class @event;
            }
            """);

        GeneratedSourceResult generated = run.Sources[0];
        Assert.Equal("class.Models.params.event.Attention.g.cs", generated.HintName);
        string text = generated.SourceText.ToString();
        Assert.Contains("typeof(global::@class.Models.@params.@event.Kernel)", text);
        Assert.Contains("public string Name => \"class.Models.params.event\";", text);
    }

    /// <summary>Registering an [Obsolete] class is not a use of it: no CS0612/CS0618 from the generated file.</summary>
    [Fact]
    public void ObsoleteClassesCompileWithoutWarnings() => GeneratorHarness.RunAndCompile(2, """
        using System;
        using KernelGen;

        namespace Deprecated;

        /// <summary>Deprecated, with its kernel.</summary>
        [Obsolete("Use the new model.")]
        public partial class OldModel
        {
            /// <summary>The kernel inside.</summary>
            [Attention(64)]
            public static partial class Attention;
        }

        /// <summary>A deprecated kernel.</summary>
        [Attention(32), Obsolete]
        public static partial class OldKernel;
        """);

    /// <summary>
    /// Containing types of every kind that can hold a class: struct (readonly, ref), record class, record struct
    /// with a parameter list, interface.
    /// </summary>
    [Fact]
    public void EveryKindOfContainingTypeIsReDeclared() => GeneratorHarness.RunAndCompile(5, """
        using KernelGen;

        namespace Containers;

        /// <summary>A readonly struct.</summary>
        public readonly partial struct ReadOnlyHolder
        {
            /// <summary>The kernel.</summary>
            [Attention(64)]
            public static partial class K;
        }

        /// <summary>A ref struct.</summary>
        public ref partial struct RefHolder
        {
            /// <summary>The kernel.</summary>
            [Attention(64)]
            public static partial class K;
        }

        /// <summary>A record class.</summary>
        /// <param name="X">A member.</param>
        public partial record RecordHolder(int X)
        {
            /// <summary>The kernel.</summary>
            [Attention(64)]
            public static partial class K;
        }

        /// <summary>A record struct.</summary>
        /// <param name="X">A member.</param>
        public readonly partial record struct RecordStructHolder(int X)
        {
            /// <summary>The kernel.</summary>
            [Attention(64)]
            public static partial class K;
        }

        /// <summary>An interface.</summary>
        public partial interface IHolder
        {
            /// <summary>The kernel.</summary>
            [Attention(64)]
            public static partial class K;
        }
        """);

    /// <summary>
    /// [Attention] on two parts of one class is the compiler's CS0579; the generator must still write one file (a
    /// second file of the same hint name would throw and drop every kernel), and reads the first attribute.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AttentionOnTwoPartsGeneratesOnce(bool partsInTwoFiles)
    {
        const string First = """
            using KernelGen;

            namespace Twice;

            [Attention(64, Heads = 2)]
            public static partial class K;

            """;
        const string Second = """
            [KernelGen.Attention(32)]
            public static partial class K;
            """;
        string[] sources = partsInTwoFiles ? [First, "namespace Twice;\n" + Second] : [First + Second];

        GeneratorRun run = GeneratorHarness.Run(sources);

        Assert.Null(run.Result.Results[0].Exception);
        Assert.Empty(run.Result.Diagnostics);
        Assert.Contains("public const int HeadDim = 64;", Assert.Single(run.KernelSources).SourceText.ToString());
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0579");
    }

    /// <summary>The same when the first part's attribute is invalid: one diagnostic, on the first attribute only.</summary>
    [Fact]
    public void AttentionOnTwoPartsReportsOnce()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using KernelGen;

            namespace Twice;

            [Attention(12)]
            public static partial class K;

            [Attention(64)]
            public static partial class K;
            """);

        Assert.Null(run.Result.Results[0].Exception);
        Diagnostic diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal("KG0004", diagnostic.Id);
        Assert.Equal("12", GeneratorHarness.TextAt(run.Input, diagnostic.Location));
        Assert.Empty(run.Sources);
    }
}
