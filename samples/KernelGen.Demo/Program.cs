using System;
using KernelGen;
using KernelGen.Demo;

// The demo: every attention variant against float64, then all-MiniLM-L6-v2 on KernelGen against ONNX Runtime, then
// the model's attention maps. Exit code 0 when every check agrees, 1 when one does not, 2 for a bad command line.

DemoOptions? options = DemoOptions.Parse(args, out string? error, out bool help);
if (options is null)
{
    if (help)
        Console.WriteLine(DemoOptions.Usage);
    else
        Console.Error.WriteLine(error);
    return help ? 0 : 2;
}

AttentionParallelism.MaxDegreeOfParallelism = options.Threads;
bool variantsAccurate = VariantTable.Run(options.Quick ? 128 : 512);

Console.WriteLine();
Console.WriteLine("all-MiniLM-L6-v2 (6 layers, 12 heads of 32) on KernelGen's MultiHeadAttention vs ONNX Runtime 1.31.1");
using var miniLM = new MiniLMReport(options.Threads);
Console.WriteLine();
bool modelAgrees = miniLM.CheckAgainstOnnxRuntime();
Console.WriteLine();
miniLM.PrintSimilarities();
Console.WriteLine();
if (options.Quick)
    miniLM.Time(batch: 2, tokens: 16);
else
    miniLM.Time(batch: 32, tokens: 128);
Console.WriteLine();
Console.WriteLine($"attention maps of \"{options.Text}\":");
foreach (string path in miniLM.DrawAttention(options.Text, options.OutputFolder))
    Console.WriteLine($"  wrote {path}");
return variantsAccurate && modelAgrees ? 0 : 1;
