using System.Text.RegularExpressions;
using ILGPU.Runtime.Cuda;

namespace KernelGen.Gpu.Tests;

/// <summary>PTX of the test kernels (runtime GpuPtx), and what the tests read from it.</summary>
internal static class PtxCompiler
{
    public static string Compile(GpuKernel kernel, CudaArchitecture architecture, CudaInstructionSet instructionSet)
        => GpuPtx.Compile(kernel.Kernel, architecture, instructionSet);

    /// <summary>Lines whose instruction starts with <paramref name="opcode"/> (e.g. "ld.local", "bar.sync").</summary>
    public static int Count(string ptx, string opcode)
        => Regex.Matches(ptx, $@"^\s*(@%p\d+\s+)?{Regex.Escape(opcode)}\b", RegexOptions.Multiline).Count;

    /// <summary>
    /// The PTX with ILGPU's process-wide numbering taken out, for a snapshot: parameter names carry IR node numbers
    /// (_q_2123 in one run, _q_5294 after other tests) and labels a counter; parameters lose the number, labels are
    /// renumbered in order of first appearance.
    /// </summary>
    public static string WithoutProcessNumbering(string ptx)
    {
        string parameters = Regex.Replace(ptx, @"(?<=\b_[A-Za-z]+)_\d+\b", "");
        var labels = new System.Collections.Generic.Dictionary<string, int>();
        return Regex.Replace(parameters, @"\bL_\d+\b", match =>
        {
            if (!labels.TryGetValue(match.Value, out int number))
                labels[match.Value] = number = labels.Count + 1;
            return $"L_{number}";
        });
    }
}
