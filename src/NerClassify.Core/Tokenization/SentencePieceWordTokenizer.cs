using Microsoft.Extensions.Logging;
using Microsoft.ML.Tokenizers;

namespace NerClassify.Tokenization;

/// <summary>
/// The SentencePiece words of XLM-RoBERTa vocabularies (<c>sentencepiece.bpe.model</c>, which despite its name holds a
/// Unigram model), through Microsoft.ML.Tokenizers' <see cref="SentencePieceTokenizer"/> (which reads Unigram and BPE
/// models, with the model's normalisation rules), mapped to the model's ids as XLM-R's fairseq dictionary lays them out.
/// </summary>
/// <remarks>
/// XLM-R's ids are SentencePiece's plus one, except that <c>&lt;s&gt;</c>, <c>&lt;pad&gt;</c>, <c>&lt;/s&gt;</c> and
/// <c>&lt;unk&gt;</c> take 0 to 3 (SentencePiece's unknown piece 0 is id 3) and <c>&lt;mask&gt;</c> comes last. Each word is
/// encoded alone with SentencePiece's dummy-prefix space, as Hugging Face encodes pre-split words. A run of unknown
/// characters is one unknown token, as Google's SentencePiece encodes it (Microsoft.ML.Tokenizers gives one per character).
/// </remarks>
internal sealed class SentencePieceWordTokenizer : SubwordTokenizer
{
    private readonly SentencePieceTokenizer _tokenizer;

    private SentencePieceWordTokenizer(SentencePieceTokenizer tokenizer, BertVocabulary vocabulary, ILogger? logger)
        : base(vocabulary.PadId, vocabulary.ClsId, vocabulary.SepId, vocabulary.UnknownId, logger)
    {
        _tokenizer = tokenizer;
    }

    /// <summary>The underlying tokenizer, with SentencePiece's own ids.</summary>
    internal SentencePieceTokenizer Tokenizer => _tokenizer;

    /// <summary>Creates the tokenizer of a SentencePiece vocabulary.</summary>
    /// <param name="vocabulary">A vocabulary of kind <see cref="VocabularyKind.SentencePiece"/>.</param>
    /// <param name="logger">Receives truncation warnings.</param>
    public static SentencePieceWordTokenizer Create(BertVocabulary vocabulary, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Kind != VocabularyKind.SentencePiece)
        {
            throw new ArgumentException($"A {vocabulary.Kind} vocabulary is not a SentencePiece vocabulary.", nameof(vocabulary));
        }

        return new SentencePieceWordTokenizer(BertVocabulary.CreateSentencePiece(vocabulary.SentencePieceModel!), vocabulary, logger);
    }

    /// <summary>The model id of a SentencePiece id: XLM-R's fairseq layout.</summary>
    internal static int ToModelId(int sentencePieceId) => sentencePieceId == 0 ? BertVocabulary.FairseqUnknownId : sentencePieceId + 1;

    private protected override int[] TokenizeText(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        IReadOnlyList<int> ids = _tokenizer.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
        var result = new List<int>(ids.Count);
        for (int i = 0; i < ids.Count; i++)
        {
            if (ids[i] == 0 && i > 0 && ids[i - 1] == 0)
            {
                continue; // SentencePiece merges consecutive unknown pieces into one
            }

            result.Add(ToModelId(ids[i]));
        }

        return [.. result];
    }

    /// <summary>
    /// The pieces of a text with their model ids and character offsets (no special tokens added), runs of unknown
    /// characters merged into one piece as SentencePiece does.
    /// </summary>
    internal IReadOnlyList<EncodedToken> EncodeToTokens(string text)
    {
        IReadOnlyList<EncodedToken> tokens = _tokenizer.EncodeToTokens(text, out _, addBeginningOfSentence: false, addEndOfSentence: false);
        var result = new List<EncodedToken>(tokens.Count);
        foreach (EncodedToken token in tokens)
        {
            if (token.Id == 0 && result.Count > 0 && result[^1].Id == UnknownId)
            {
                EncodedToken previous = result[^1];
                result[^1] = new EncodedToken(UnknownId, previous.Value + token.Value, new Range(previous.Offset.Start, token.Offset.End));
                continue;
            }

            result.Add(new EncodedToken(ToModelId(token.Id), token.Value, token.Offset));
        }

        return result;
    }
}
