using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Tokenizers;

namespace NerClassify.Tokenization;

/// <summary>
/// The byte-level BPE words of RoBERTa vocabularies (<c>vocab.json</c> + <c>merges.txt</c>), through
/// Microsoft.ML.Tokenizers' <see cref="CodeGenTokenizer"/> (GPT-2's byte-to-character table, pre-tokenization and merges).
/// </summary>
/// <remarks>
/// Every word is encoded with a space before it (<c>add_prefix_space</c>), as Hugging Face encodes pre-split words
/// (<c>is_split_into_words=True</c> needs <c>add_prefix_space=True</c> for RoBERTa): the first word of a sentence gets
/// the same pieces as the same word later in it, so a word tokenizes the same wherever it stands.
/// </remarks>
internal sealed class ByteLevelBpeWordTokenizer : SubwordTokenizer
{
    private const string CodeGenToken = "<|endoftext|>";

    private readonly CodeGenTokenizer _tokenizer;
    private readonly int _tokenCount;

    private ByteLevelBpeWordTokenizer(CodeGenTokenizer tokenizer, BertVocabulary vocabulary, ILogger? logger)
        : base(vocabulary.PadId, vocabulary.ClsId, vocabulary.SepId, vocabulary.UnknownId, logger)
    {
        _tokenizer = tokenizer;
        _tokenCount = vocabulary.Tokens.Count;
    }

    /// <summary>Creates the tokenizer of a byte-level BPE vocabulary.</summary>
    /// <param name="vocabulary">A vocabulary of kind <see cref="VocabularyKind.ByteLevelBpe"/>.</param>
    /// <param name="logger">Receives truncation warnings.</param>
    public static ByteLevelBpeWordTokenizer Create(BertVocabulary vocabulary, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Kind != VocabularyKind.ByteLevelBpe)
        {
            throw new ArgumentException($"A {vocabulary.Kind} vocabulary is not a byte-level BPE vocabulary.", nameof(vocabulary));
        }

        using var vocab = new MemoryStream(Encoding.UTF8.GetBytes(WithCodeGenToken(vocabulary)), writable: false);
        using var merges = new MemoryStream(Encoding.UTF8.GetBytes(vocabulary.Merges!), writable: false);
        CodeGenTokenizer tokenizer = CodeGenTokenizer.Create(vocab, merges, addPrefixSpace: true, addBeginOfSentence: false, addEndOfSentence: false);
        return new ByteLevelBpeWordTokenizer(tokenizer, vocabulary, logger);
    }

    /// <summary>
    /// The vocabulary JSON with CodeGen's <c>&lt;|endoftext|&gt;</c>, which <see cref="CodeGenTokenizer.Create"/> takes as its
    /// unknown, first and last token and as a special token of the text, added after the last id when the vocabulary
    /// lacks it (RoBERTa's does). Byte-level BPE never needs the unknown token for valid text, and the text
    /// <c>&lt;|endoftext|&gt;</c> becomes <c>&lt;unk&gt;</c> (<see cref="TokenizeText"/>) rather than an id the model cannot embed.
    /// </summary>
    private static string WithCodeGenToken(BertVocabulary vocabulary)
    {
        var node = (JsonObject)JsonNode.Parse(vocabulary.VocabularyJson!)!;
        if (!node.ContainsKey(CodeGenToken))
        {
            node[CodeGenToken] = vocabulary.Tokens.Count;
        }

        return node.ToJsonString();
    }

    /// <summary>The pieces and ids of a text as the library tokenizes it (prefix space, no special tokens), with character offsets.</summary>
    internal IReadOnlyList<EncodedToken> EncodeToTokens(string text) =>
        _tokenizer.EncodeToTokens(text, addPrefixSpace: true, addBeginningOfSentence: false, addEndOfSentence: false, out _);

    private protected override int[] TokenizeText(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        int[] ids = [.. _tokenizer.EncodeToIds(text, addPrefixSpace: true, addBeginningOfSentence: false, addEndOfSentence: false)];
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] >= _tokenCount)
            {
                ids[i] = UnknownId;
            }
        }

        return ids;
    }
}
