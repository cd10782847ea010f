using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NerClassify.Tokenization;

/// <summary>
/// Tokenizes pre-split words with a subword vocabulary and builds model inputs that remember, for every subword,
/// which word it came from: first-subword labels, windows and special tokens are the same for every tokenizer.
/// <see cref="BertWordTokenizer"/> (WordPiece), <see cref="ByteLevelBpeWordTokenizer"/> (RoBERTa) and
/// <see cref="SentencePieceWordTokenizer"/> (XLM-RoBERTa) supply the subwords of one word; <see cref="For"/> picks one
/// for a <see cref="Tokenization.BertVocabulary"/>.
/// </summary>
/// <remarks>
/// Words are tokenized one by one, so word boundaries are kept exactly. A word the vocabulary cannot represent
/// (or that tokenizes to nothing, such as an empty word) becomes one unknown token: no word ever disappears.
/// Special-token text such as <c>[SEP]</c> or <c>&lt;s&gt;</c> inside a word is treated as ordinary text. Whitespace inside
/// a word (any Unicode <c>White_Space</c> character, as <see cref="TextWordSplitter"/> defines it) separates pieces that are
/// tokenized apart, and a lone UTF-16 surrogate is one unknown token, so no string makes tokenization throw.
/// Tokenized words are cached up to a fixed memory budget; words longer than 100 characters are never cached. Thread-safe.
/// </remarks>
internal abstract class SubwordTokenizer
{
    /// <summary>The default of <see cref="MaxCacheBytes"/>: 32 MiB, about 150,000 typical words.</summary>
    internal const long DefaultMaxCacheBytes = 32L << 20;

    /// <summary>
    /// Longer words are tokenized every time: they are rare in real text, WordPiece maps words over 100 characters
    /// to [UNK] anyway, and caching them would let hostile input fill the budget with a few entries.
    /// </summary>
    private const int MaxCachedWordLength = 100;

    // A rough per-entry cost of a ConcurrentDictionary node plus the string and array object headers.
    private const int EntryOverheadBytes = 96;

    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private int[]? _unknownOnly;
    private long _cachedBytes;

    /// <summary>Takes the special tokens' ids and the logger that receives truncation warnings (<see cref="NullLogger"/> when null).</summary>
    private protected SubwordTokenizer(int padId, int clsId, int sepId, int unknownId, ILogger? logger)
    {
        (PadId, ClsId, SepId, UnknownId) = (padId, clsId, sepId, unknownId);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The id of the padding token ([PAD], &lt;pad&gt;).</summary>
    public int PadId { get; }

    /// <summary>The id of the token that opens every sequence ([CLS], &lt;s&gt;).</summary>
    public int ClsId { get; }

    /// <summary>The id of the token that closes every sequence ([SEP], &lt;/s&gt;).</summary>
    public int SepId { get; }

    /// <summary>The id of the unknown token ([UNK], &lt;unk&gt;).</summary>
    public int UnknownId { get; }

    /// <summary>Creates the tokenizer a vocabulary needs: WordPiece, byte-level BPE or SentencePiece.</summary>
    /// <param name="vocabulary">The vocabulary and its tokenizer files.</param>
    /// <param name="logger">Receives truncation warnings; defaults to <see cref="NullLogger"/>.</param>
    public static SubwordTokenizer For(Tokenization.BertVocabulary vocabulary, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        return vocabulary.Kind switch
        {
            Tokenization.VocabularyKind.ByteLevelBpe => ByteLevelBpeWordTokenizer.Create(vocabulary, logger),
            Tokenization.VocabularyKind.SentencePiece => SentencePieceWordTokenizer.Create(vocabulary, logger),
            _ => BertWordTokenizer.Create(vocabulary, logger),
        };
    }

    /// <summary>The subword ids of a run of text without whitespace or lone surrogates; may be empty.</summary>
    private protected abstract int[] TokenizeText(string text);

    /// <summary>The estimated memory held by the word cache, in bytes; at most about <see cref="MaxCacheBytes"/>.</summary>
    internal long CachedBytes => Interlocked.Read(ref _cachedBytes);

    /// <summary>The most memory (estimated bytes of keys, values and entries) the word cache holds; settable for tests.</summary>
    internal long MaxCacheBytes { get; set; } = DefaultMaxCacheBytes;

    /// <summary>The subword ids of one word; never empty (a word that yields nothing is one unknown token).</summary>
    /// <param name="word">The word; may be empty.</param>
    /// <returns>The ids. The span is backed by a shared cache: do not write through it.</returns>
    public ReadOnlySpan<int> TokenizeWord(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return GetWordIds(word);
    }

    /// <summary>Encodes a pre-split sentence, in windows when it is longer than <see cref="EncodingOptions.MaxLength"/>.</summary>
    /// <param name="words">The words.</param>
    /// <param name="options">Encoding options; <see cref="EncodingOptions.Default"/> when null.</param>
    /// <param name="wordLabels">Optional label ids, one per word, put on each word's first subword.</param>
    /// <param name="sentenceLabel">Optional sentence label id.</param>
    /// <param name="sentenceIndex">An id of the sentence copied to <see cref="EncodedSentence.SentenceIndex"/>.</param>
    /// <returns>One sequence, or several windows that together cover every word.</returns>
    public IReadOnlyList<EncodedSentence> Encode(
        IReadOnlyList<string> words,
        EncodingOptions? options = null,
        IReadOnlyList<int>? wordLabels = null,
        int? sentenceLabel = null,
        int sentenceIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(words);
        options ??= EncodingOptions.Default;
        options.Validate();
        if (wordLabels is not null && wordLabels.Count != words.Count)
        {
            throw new ArgumentException($"{words.Count} words need {words.Count} labels, not {wordLabels.Count}.", nameof(wordLabels));
        }

        int wordCount = words.Count;
        var pieces = new int[wordCount][];
        int total = 0;
        for (int w = 0; w < wordCount; w++)
        {
            pieces[w] = GetWordIds(words[w] ?? throw new ArgumentException($"Word {w} is null.", nameof(words)));
            total += pieces[w].Length;
        }

        int content = options.MaxLength - 2;
        if (total <= content)
        {
            return [Build(pieces, 0, wordCount, content, wordLabels, sentenceLabel, sentenceIndex, 0, 1, 0)];
        }

        if (options.Overflow == OverflowHandling.Truncate)
        {
            int end = TakeWords(pieces, 0, content);
            TokenizationLog.Truncated(_logger, sentenceIndex, total, options.MaxLength, wordCount - end, wordCount);
            return [Build(pieces, 0, end, content, wordLabels, sentenceLabel, sentenceIndex, 0, 1, wordCount - end)];
        }

        var ranges = new List<(int Start, int End)>();
        int start = 0;
        while (true)
        {
            int end = TakeWords(pieces, start, content);
            ranges.Add((start, end));
            if (end == wordCount)
            {
                break;
            }

            // Step back over whole words while they fit in the overlap; always move forward by at least one word.
            int next = end;
            int overlap = 0;
            while (next - 1 > start && overlap + pieces[next - 1].Length <= options.Stride)
            {
                overlap += pieces[next - 1].Length;
                next--;
            }

            start = next;
        }

        TokenizationLog.Windowed(_logger, sentenceIndex, total, options.MaxLength, ranges.Count);
        var windows = new EncodedSentence[ranges.Count];
        for (int k = 0; k < windows.Length; k++)
        {
            windows[k] = Build(pieces, ranges[k].Start, ranges[k].End, content, wordLabels, sentenceLabel, sentenceIndex, k, windows.Length, 0);
        }

        return windows;
    }

    /// <summary>The end (exclusive) of the longest run of whole words from <paramref name="start"/> that fits; at least one word.</summary>
    private static int TakeWords(int[][] pieces, int start, int content)
    {
        int end = start;
        int used = 0;
        while (end < pieces.Length && used + pieces[end].Length <= content)
        {
            used += pieces[end].Length;
            end++;
        }

        return end == start ? start + 1 : end;
    }

    private EncodedSentence Build(
        int[][] pieces, int start, int end, int content, IReadOnlyList<int>? wordLabels, int? sentenceLabel,
        int sentenceIndex, int windowIndex, int windowCount, int truncated)
    {
        int length = 2;
        for (int w = start; w < end; w++)
        {
            length += pieces[w].Length;
        }

        if (length - 2 > content)
        {
            // Only possible for a single word longer than a window: keep its first subwords (the labelled one among them).
            TokenizationLog.WordCut(_logger, start, sentenceIndex, length - 2, content);
            length = content + 2;
        }

        var inputIds = new long[length];
        var attention = new long[length];
        var tokenTypes = new long[length];
        var wordIndex = new int[length];
        long[]? labels = wordLabels is null ? null : new long[length];
        Array.Fill(attention, 1L);
        inputIds[0] = ClsId;
        wordIndex[0] = -1;
        labels?[0] = EncodedSentence.IgnoreIndex;
        int position = 1;
        for (int w = start; w < end && position < length - 1; w++)
        {
            int[] ids = pieces[w];
            for (int p = 0; p < ids.Length && position < length - 1; p++, position++)
            {
                inputIds[position] = ids[p];
                wordIndex[position] = w;
                labels?[position] = p == 0 ? wordLabels![w] : EncodedSentence.IgnoreIndex;
            }
        }

        inputIds[length - 1] = SepId;
        wordIndex[length - 1] = -1;
        labels?[length - 1] = EncodedSentence.IgnoreIndex;
        return new EncodedSentence(inputIds, attention, tokenTypes, wordIndex)
        {
            Labels = labels,
            SentenceLabel = sentenceLabel,
            SentenceIndex = sentenceIndex,
            SentenceWordCount = pieces.Length,
            WindowIndex = windowIndex,
            WindowCount = windowCount,
            FirstWord = start,
            WordCount = end - start,
            TruncatedWordCount = truncated,
        };
    }

    private int[] GetWordIds(string word)
    {
        if (_cache.TryGetValue(word, out int[]? cached))
        {
            return cached;
        }

        int[] result = NeedsPieces(word) ? TokenizePieces(word) : TokenizeText(word);
        if (result.Length == 0)
        {
            result = _unknownOnly ??= [UnknownId];
        }

        if (word.Length <= MaxCachedWordLength)
        {
            // Concurrent adds may overshoot the budget by a few entries, never by more than one entry per thread.
            long cost = EntryOverheadBytes + (2L * word.Length) + (4L * result.Length);
            if (Interlocked.Read(ref _cachedBytes) + cost <= MaxCacheBytes && _cache.TryAdd(word, result))
            {
                Interlocked.Add(ref _cachedBytes, cost);
            }
        }

        return result;
    }

    /// <summary>Whether the word holds whitespace or a surrogate, which must not reach the tokenizer's normalisation whole.</summary>
    private static bool NeedsPieces(string word)
    {
        foreach (char c in word)
        {
            if (char.IsSurrogate(c) || char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Tokenizes the runs between whitespace and lone surrogates; each lone surrogate is one unknown token.</summary>
    private int[] TokenizePieces(string word)
    {
        var ids = new List<int>();
        int pieceStart = 0;
        int index = 0;
        while (index < word.Length)
        {
            OperationStatus status = Rune.DecodeFromUtf16(word.AsSpan(index), out Rune rune, out int consumed);
            bool lone = status != OperationStatus.Done;
            if (lone || TextWordSplitter.IsWhitespace(rune))
            {
                ids.AddRange(TokenizeText(word[pieceStart..index]));
                if (lone)
                {
                    ids.Add(UnknownId);
                }

                pieceStart = index + consumed;
            }

            index += consumed;
        }

        ids.AddRange(TokenizeText(word[pieceStart..]));
        return [.. ids];
    }
}
