using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// <see cref="CacheLineAlignment.Align"/> starts a buffer on the first 64-byte line boundary in it, skipping at most
/// <see cref="CacheLineAlignment.Slack"/> floats and keeping its end. The kernels' results do not depend on it: their
/// accuracy tests run on whatever alignment the pool hands out.
/// </summary>
public sealed class CacheLineAlignmentTests
{
    [Fact]
    public void Every_start_within_a_line_moves_to_the_first_line_boundary()
    {
        // Pinned, so the addresses read here are the ones Align saw.
        float[] data = GC.AllocateArray<float>(64, pinned: true);
        long dataAddress = Marshal.UnsafeAddrOfPinnedArrayElement(data, 0);
        long Address(Span<float> span) => dataAddress + Unsafe.ByteOffset(ref data[0], ref MemoryMarshal.GetReference(span));
        int skipsSeen = 0;
        for (int start = 0; start < 16; start++)
        {
            Span<float> buffer = data.AsSpan(start, 40);
            Span<float> aligned = CacheLineAlignment.Align(buffer);
            int skipped = buffer.Length - aligned.Length;
            Assert.InRange(skipped, 0, CacheLineAlignment.Slack);
            Assert.True(Unsafe.AreSame(ref buffer[skipped], ref aligned[0]), "the aligned span must be the buffer's own tail");
            Assert.Equal(0, Address(aligned) % 64);
            // No earlier float of the buffer starts a line.
            for (int s = 0; s < skipped; s++)
                Assert.NotEqual(0, (Address(buffer) + s * sizeof(float)) % 64);
            skipsSeen |= 1 << skipped;
        }
        // Sixteen starts four bytes apart take every position within a line, so every skip from 0 to 15 occurs.
        Assert.Equal(0xFFFF, skipsSeen);
    }

    [Fact]
    public void A_buffer_shorter_than_the_slack_is_an_argument_exception_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => CacheLineAlignment.Align(new float[CacheLineAlignment.Slack - 1]));
        Assert.Equal("buffer", error.ParamName);
        Assert.InRange(CacheLineAlignment.Align(new float[CacheLineAlignment.Slack]).Length, 0, CacheLineAlignment.Slack);
    }
}
