using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.Tokenizers;

namespace NerClassify.Tokenization;

/// <summary>
/// The WordPiece words of BERT vocabularies (<c>vocab.txt</c>), through Microsoft.ML.Tokenizers'
/// <see cref="BertTokenizer"/>: basic tokenization, optional lower-casing and accent stripping, then WordPiece.
/// </summary>
internal sealed class BertWordTokenizer : SubwordTokenizer
{
    private BertWordTokenizer(BertTokenizer tokenizer, bool lowerCase, ILogger? logger)
        : base(tokenizer.PaddingTokenId, tokenizer.ClassificationTokenId, tokenizer.SeparatorTokenId, tokenizer.UnknownTokenId, logger)
    {
        Tokenizer = tokenizer;
        LowerCase = lowerCase;
    }

    /// <summary>The underlying tokenizer.</summary>
    public BertTokenizer Tokenizer { get; }

    /// <summary>Whether text is lower-cased (and accents stripped) before lookup, as for uncased models.</summary>
    public bool LowerCase { get; }

    /// <summary>Creates a tokenizer for a WordPiece vocabulary.</summary>
    /// <param name="vocabulary">The vocabulary; its casing decides lower-casing.</param>
    /// <param name="logger">Receives truncation warnings; defaults to <see cref="NullLogger"/>.</param>
    public static BertWordTokenizer Create(Tokenization.BertVocabulary vocabulary, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        using Stream vocab = vocabulary.OpenRead();
        return new BertWordTokenizer(BertTokenizer.Create(vocab, CreateOptions(vocabulary.LowerCase)), vocabulary.LowerCase, logger);
    }

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> file.</summary>
    /// <param name="vocabPath">The vocabulary, one token per line.</param>
    /// <param name="lowerCase">Whether to lower-case (and strip accents), as the model's <c>do_lower_case</c> says.</param>
    /// <param name="logger">Receives truncation warnings; defaults to <see cref="NullLogger"/>.</param>
    /// <returns>The tokenizer.</returns>
    public static BertWordTokenizer Create(string vocabPath, bool lowerCase = true, ILogger<BertWordTokenizer>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vocabPath);
        return new BertWordTokenizer(BertTokenizer.Create(vocabPath, CreateOptions(lowerCase)), lowerCase, logger);
    }

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> stream, which is not disposed.</summary>
    /// <param name="vocabStream">The vocabulary, one token per line.</param>
    /// <param name="lowerCase">Whether to lower-case (and strip accents), as the model's <c>do_lower_case</c> says.</param>
    /// <param name="logger">Receives truncation warnings; defaults to <see cref="NullLogger"/>.</param>
    /// <returns>The tokenizer.</returns>
    public static BertWordTokenizer Create(Stream vocabStream, bool lowerCase = true, ILogger<BertWordTokenizer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(vocabStream);
        return new BertWordTokenizer(BertTokenizer.Create(vocabStream, CreateOptions(lowerCase)), lowerCase, logger);
    }

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> file asynchronously.</summary>
    /// <param name="vocabPath">The vocabulary, one token per line.</param>
    /// <param name="lowerCase">Whether to lower-case (and strip accents).</param>
    /// <param name="logger">Receives truncation warnings; defaults to <see cref="NullLogger"/>.</param>
    /// <param name="cancellationToken">Stops loading.</param>
    /// <returns>The tokenizer.</returns>
    public static async Task<BertWordTokenizer> CreateAsync(string vocabPath, bool lowerCase = true, ILogger<BertWordTokenizer>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vocabPath);
        var tokenizer = await BertTokenizer.CreateAsync(vocabPath, CreateOptions(lowerCase), cancellationToken).ConfigureAwait(false);
        return new BertWordTokenizer(tokenizer, lowerCase, logger);
    }

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> stream asynchronously; the stream is not disposed.</summary>
    /// <param name="vocabStream">The vocabulary, one token per line.</param>
    /// <param name="lowerCase">Whether to lower-case (and strip accents).</param>
    /// <param name="logger">Receives truncation warnings; defaults to <see cref="NullLogger"/>.</param>
    /// <param name="cancellationToken">Stops loading.</param>
    /// <returns>The tokenizer.</returns>
    public static async Task<BertWordTokenizer> CreateAsync(Stream vocabStream, bool lowerCase = true, ILogger<BertWordTokenizer>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vocabStream);
        var tokenizer = await BertTokenizer.CreateAsync(vocabStream, CreateOptions(lowerCase), cancellationToken).ConfigureAwait(false);
        return new BertWordTokenizer(tokenizer, lowerCase, logger);
    }

    private protected override int[] TokenizeText(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        try
        {
            return [.. Tokenizer.EncodeToIds(text, addSpecialTokens: false)];
        }
        catch (ArgumentException)
        {
            // Normalisation refuses text that is not valid Unicode; lone surrogates are handled before this, so this is
            // a last guard that keeps one odd word from failing a whole batch.
            return [UnknownId];
        }
    }

    private static BertOptions CreateOptions(bool lowerCase) => new()
    {
        LowerCaseBeforeTokenization = lowerCase,
        RemoveNonSpacingMarks = lowerCase,
        ApplyBasicTokenization = true,
        IndividuallyTokenizeCjk = true,
        SplitOnSpecialTokens = false,
    };
}
