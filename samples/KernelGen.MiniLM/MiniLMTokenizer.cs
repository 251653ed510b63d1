using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FastBertTokenizer;

namespace KernelGen.MiniLM;

/// <summary>
/// WordPiece tokenization with the model's own vocabulary (uncased: input is lower-cased), through FastBertTokenizer:
/// [CLS] tokens [SEP], at most <see cref="MiniLMWeights.MaxPositions"/> tokens.
/// </summary>
public sealed class MiniLMTokenizer
{
    private readonly BertTokenizer _tokenizer = new();
    private readonly string[] _vocabulary;

    /// <summary>Loads the vocabulary embedded in the model package.</summary>
    public MiniLMTokenizer()
    {
        using (TextReader reader = MiniLMResources.OpenVocabulary())
            _vocabulary = reader.ReadToEnd().Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        _tokenizer.LoadVocabulary(new StringReader(string.Join('\n', _vocabulary)), convertInputToLowercase: true);
    }

    /// <summary>
    /// Tokenizes <paramref name="texts"/> and right-pads them to the longest, or to <paramref name="maxTokens"/>
    /// tokens each when <paramref name="padToMax"/> (longer texts are cut there, ending with [SEP]).
    /// </summary>
    public TokenBatch Encode(IReadOnlyList<string> texts, int maxTokens = MiniLMWeights.MaxPositions, bool padToMax = false)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(texts.Count, 1, nameof(texts));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 3);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxTokens, MiniLMWeights.MaxPositions);
        // The span overload: the Memory-returning one can hand back more than maxTokens ids once its reused buffers
        // have grown on a longer call.
        var buffer = new long[maxTokens];
        long[][] ids = texts.Select(text => buffer[.._tokenizer.Encode(text, buffer, new long[maxTokens], new long[maxTokens])]).ToArray();
        int seq = padToMax ? maxTokens : ids.Max(row => row.Length);
        var inputIds = new long[texts.Count * seq];
        var mask = new long[texts.Count * seq];
        for (int b = 0; b < ids.Length; b++)
        {
            ids[b].CopyTo(inputIds, b * seq);
            mask.AsSpan(b * seq, ids[b].Length).Fill(1);
        }
        return new TokenBatch(inputIds, mask, new long[texts.Count * seq], texts.Count, seq);
    }

    /// <summary>The WordPiece strings of sequence <paramref name="sequence"/>'s tokens, for labels.</summary>
    public string[] TokenStrings(TokenBatch tokens, int sequence)
        => tokens.InputIds.AsSpan(sequence * tokens.SequenceLength, tokens.Lengths[sequence]).ToArray()
            .Select(id => _vocabulary[id]).ToArray();
}
