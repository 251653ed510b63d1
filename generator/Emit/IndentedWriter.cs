using System;
using System.Text;

namespace KernelGen.Generator.Emit;

/// <summary>Writes source text with four-space indentation; multi-line blocks are indented line by line.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    /// <summary>Writes each line of <paramref name="lines"/> at the current depth (blank lines stay blank).</summary>
    public IndentedWriter Write(string lines)
    {
        foreach (string line in lines.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.Length > 0)
                _text.Append(' ', 4 * _depth).Append(line);
            _text.Append('\n');
        }
        return this;
    }

    public IndentedWriter BlankLine()
    {
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace; disposing closes it.</summary>
    public IDisposable Block(string header)
    {
        Write(header);
        Write("{");
        _depth++;
        return new Closer(this);
    }

    public override string ToString() => _text.ToString();

    private sealed class Closer(IndentedWriter writer) : IDisposable
    {
        public void Dispose()
        {
            writer._depth--;
            writer.Write("}");
        }
    }
}
