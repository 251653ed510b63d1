using System;
using System.Linq;
using KernelGen;

// A consumer that knows KernelGen only through its package: two declared configurations, run and checked.
var random = new Random(7);
float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

const int Batch = 2, Length = 33;
float[] q = Random(Batch * 4 * Length * 32), k = Random(Batch * 2 * Length * 32), v = Random(Batch * 2 * Length * 32);
var causal = new float[q.Length];
CausalGqa.Forward(q, k, v, causal, Batch, Length, Length);

float[] q2 = Random(Batch * 2 * Length * 16), k2 = Random(Batch * 2 * Length * 16), v2 = Random(Batch * 2 * Length * 16);
var linear = new float[q2.Length];
LinearAttention.Forward(q2, k2, v2, linear, Batch, Length, Length);

double[] causalReference = ReferenceAttention.Forward(CausalGqa.Kernel.Instance.Config, q, k, v, Batch, Length, Length);
double causalError = causal.Select((o, i) => Math.Abs(o - causalReference[i])).Max();
double[] linearReference = ReferenceAttention.Forward(LinearAttention.Kernel.Instance.Config, q2, k2, v2, Batch, Length, Length);
double linearError = linear.Select((o, i) => Math.Abs(o - linearReference[i])).Max();
int generated = AttentionKernels.GeneratedIn(typeof(CausalGqa).Assembly).Count;
Console.WriteLine($"generated kernels: {generated}");
Console.WriteLine($"CausalGqa max error: {causalError:0.0e+0}");
Console.WriteLine($"LinearAttention max error: {linearError:0.0e+0}");
return generated == 2 && causalError < 1e-5 && linearError < 1e-5 ? 0 : 1;

[Attention(32, Heads = 4, KvHeads = 2, Causal = true, TileQ = 16)]
static partial class CausalGqa;

[Attention(16, Heads = 2, Kind = AttentionKind.Linear, Window = 8)]
partial class LinearAttention;
