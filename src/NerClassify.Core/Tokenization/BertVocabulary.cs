using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using NerClassify.IO;

namespace NerClassify.Tokenization;

/// <summary>
/// The vocabulary of a BERT-family encoder and the files its tokenizer reads (<see cref="Kind"/>): a WordPiece
/// <c>vocab.txt</c> (one token per line, the line number is the id) and whether the model expects lower-cased,
/// accent-stripped input; RoBERTa's byte-level BPE <c>vocab.json</c> + <c>merges.txt</c>; or XLM-RoBERTa's
/// <c>sentencepiece.bpe.model</c>. The special tokens come from <c>tokenizer_config.json</c> where it names them.
/// </summary>
public sealed class BertVocabulary
{
    /// <summary>The WordPiece vocabulary file name in a Hugging Face model directory.</summary>
    public const string FileName = IO.ModelFiles.Vocabulary;

    /// <summary>The id XLM-R's fairseq layout gives the unknown token.</summary>
    internal const int FairseqUnknownId = 3;

    private const string TokenizerConfigFile = ModelFiles.TokenizerConfig;

    private static readonly string[] SpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];

    // XLM-R's fairseq dictionary: these four first, then SentencePiece's pieces from id 3 on, then <mask>.
    private static readonly string[] FairseqSpecials = ["<s>", "<pad>", "</s>", "<unk>"];

    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a vocabulary from its tokens.</summary>
    /// <param name="tokens">Tokens in id order; must include <c>[PAD]</c>, <c>[UNK]</c>, <c>[CLS]</c> and <c>[SEP]</c>.</param>
    /// <param name="lowerCase">Whether input is lower-cased before WordPiece (uncased models).</param>
    /// <exception cref="ArgumentException">A special token is missing.</exception>
    public BertVocabulary(IReadOnlyList<string> tokens, bool lowerCase)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        string[] missing = SpecialTokens.Where(t => !tokens.Contains(t)).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException($"The vocabulary lacks the special tokens {string.Join(", ", missing)}.", nameof(tokens));
        }

        Tokens = tokens.ToArray();
        LowerCase = lowerCase;
        Kind = VocabularyKind.WordPiece;
        _ids = IdsOf(Tokens);
        Special = new SpecialTokenNames("[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]");
    }

    private BertVocabulary(VocabularyKind kind, string[] tokens, bool lowerCase, SpecialTokenNames special, string? vocabularyJson, string? merges, byte[]? sentencePieceModel, string subject)
    {
        Kind = kind;
        Tokens = tokens;
        LowerCase = lowerCase;
        Special = special;
        VocabularyJson = vocabularyJson;
        Merges = merges;
        SentencePieceModel = sentencePieceModel;
        _ids = IdsOf(tokens);
        foreach (string token in (string[])[special.Cls, special.Sep, special.Pad, special.Unknown])
        {
            if (!_ids.ContainsKey(token))
            {
                throw new InvalidDataException($"{subject} lacks the special token '{token}' ({tokens.Length} tokens read).");
            }
        }
    }

    /// <summary>Which tokenizer the vocabulary belongs to: WordPiece, byte-level BPE or SentencePiece.</summary>
    public VocabularyKind Kind { get; }

    /// <summary>Tokens in id order (for SentencePiece, in the model's ids: XLM-R's fairseq layout).</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Whether input is lower-cased (and accents stripped) before WordPiece; false for the other kinds unless <c>do_lower_case</c> says so.</summary>
    public bool LowerCase { get; }

    /// <summary>The id of the padding token (<c>[PAD]</c>, <c>&lt;pad&gt;</c>).</summary>
    public int PadId => IndexOf(Special.Pad);

    /// <summary>The id of the token every sequence starts with (<c>[CLS]</c>, <c>&lt;s&gt;</c>).</summary>
    internal int ClsId => IndexOf(Special.Cls);

    /// <summary>The id of the token every sequence ends with (<c>[SEP]</c>, <c>&lt;/s&gt;</c>).</summary>
    internal int SepId => IndexOf(Special.Sep);

    /// <summary>The id of the unknown token (<c>[UNK]</c>, <c>&lt;unk&gt;</c>).</summary>
    internal int UnknownId => IndexOf(Special.Unknown);

    /// <summary>The file that holds the tokens: <c>vocab.txt</c>, <c>vocab.json</c> or <c>sentencepiece.bpe.model</c>.</summary>
    internal string TokensFileName => Kind switch
    {
        VocabularyKind.ByteLevelBpe => ModelFiles.VocabularyJson,
        VocabularyKind.SentencePiece => ModelFiles.SentencePieceModel,
        _ => FileName,
    };

    /// <summary>The special tokens' text.</summary>
    internal SpecialTokenNames Special { get; }

    /// <summary>The <c>vocab.json</c> text of a byte-level BPE vocabulary, else null.</summary>
    internal string? VocabularyJson { get; }

    /// <summary>The <c>merges.txt</c> text of a byte-level BPE vocabulary, else null.</summary>
    internal string? Merges { get; }

    /// <summary>The <c>sentencepiece.bpe.model</c> bytes of a SentencePiece vocabulary, else null.</summary>
    internal byte[]? SentencePieceModel { get; }

    /// <summary>
    /// Reads the tokenizer files of a model directory: <c>vocab.txt</c> (WordPiece), else <c>sentencepiece.bpe.model</c>
    /// (SentencePiece), else <c>vocab.json</c> with <c>merges.txt</c> (byte-level BPE). The casing comes from
    /// <c>tokenizer_config.json</c>'s <c>do_lower_case</c> when present, otherwise, for WordPiece, from the vocabulary
    /// (no upper-case letters means uncased); the special tokens from its <c>cls_token</c>/<c>bos_token</c>,
    /// <c>sep_token</c>/<c>eos_token</c>, <c>pad_token</c> and <c>unk_token</c> for byte-level BPE.
    /// </summary>
    /// <exception cref="FileNotFoundException">No tokenizer file is there; the message names the files looked for.</exception>
    /// <exception cref="InvalidDataException">A file is empty, corrupt, or lacks a special token; the message names the path.</exception>
    public static BertVocabulary Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, FileName);
        string configPath = Path.Combine(directory, TokenizerConfigFile);
        JsonObject? tokenizerConfig = ReadTokenizerConfig(configPath);
        bool? lowerCase = ReadLowerCase(tokenizerConfig, configPath);
        if (File.Exists(path))
        {
            using FileStream stream = File.OpenRead(path);
            return Read(stream, lowerCase, $"'{path}'");
        }

        string sentencePiece = Path.Combine(directory, ModelFiles.SentencePieceModel);
        if (File.Exists(sentencePiece))
        {
            return ReadSentencePiece(File.ReadAllBytes(sentencePiece), lowerCase ?? false, $"'{sentencePiece}'");
        }

        string vocabularyJson = Path.Combine(directory, ModelFiles.VocabularyJson);
        string merges = Path.Combine(directory, ModelFiles.Merges);
        if (File.Exists(vocabularyJson) && File.Exists(merges))
        {
            SpecialTokenNames special = ReadSpecialTokens(tokenizerConfig, configPath);
            return ReadByteLevelBpe(File.ReadAllText(vocabularyJson), File.ReadAllText(merges), lowerCase ?? false, special, $"'{vocabularyJson}'");
        }

        throw new FileNotFoundException(
            $"The model directory '{directory}' has no tokenizer this library reads: {FileName} (WordPiece), {ModelFiles.SentencePieceModel} (SentencePiece) or {ModelFiles.VocabularyJson} with {ModelFiles.Merges} (byte-level BPE).",
            path);
    }

    /// <summary>Reads a byte-level BPE vocabulary (RoBERTa's <c>vocab.json</c> and <c>merges.txt</c>) from streams (left open), with RoBERTa's special tokens.</summary>
    /// <param name="vocabularyJson">The <c>vocab.json</c> content: a JSON object from token to id.</param>
    /// <param name="merges">The <c>merges.txt</c> content.</param>
    /// <exception cref="InvalidDataException">The vocabulary is not a JSON object of ids or lacks <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;pad&gt;</c> or <c>&lt;unk&gt;</c>.</exception>
    public static BertVocabulary LoadByteLevelBpe(Stream vocabularyJson, Stream merges)
    {
        ArgumentNullException.ThrowIfNull(vocabularyJson);
        ArgumentNullException.ThrowIfNull(merges);
        using var vocabularyReader = new StreamReader(vocabularyJson, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        using var mergesReader = new StreamReader(merges, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        return ReadByteLevelBpe(vocabularyReader.ReadToEnd(), mergesReader.ReadToEnd(), false, SpecialTokenNames.Roberta, "The vocabulary");
    }

    /// <summary>Reads a SentencePiece model (XLM-RoBERTa's <c>sentencepiece.bpe.model</c>) from a stream (left open), in XLM-R's ids.</summary>
    /// <param name="model">The model's bytes (a SentencePiece <c>ModelProto</c>).</param>
    /// <exception cref="InvalidDataException">The bytes are not a SentencePiece model, or its first pieces are not <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>.</exception>
    public static BertVocabulary LoadSentencePiece(Stream model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var buffer = new MemoryStream();
        model.CopyTo(buffer);
        return ReadSentencePiece(buffer.ToArray(), false, "The SentencePiece model");
    }

    /// <summary>Reads a <c>vocab.txt</c> from a stream (left open).</summary>
    /// <param name="stream">UTF-8 text, one token per line.</param>
    /// <param name="lowerCase">The casing, or null to infer it from the tokens.</param>
    /// <exception cref="InvalidDataException">The text is empty, not UTF-8, or lacks a special token.</exception>
    public static BertVocabulary Load(Stream stream, bool? lowerCase = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Read(stream, lowerCase, "The vocabulary");
    }

    /// <summary>Reads a <c>vocab.txt</c> from a stream (left open), naming <paramref name="subject"/> in errors.</summary>
    /// <param name="stream">UTF-8 text, one token per line.</param>
    /// <param name="lowerCase">The casing, or null to infer it from the tokens.</param>
    /// <param name="subject">What the errors call the text: a quoted path, or a phrase such as <c>The vocabulary</c>.</param>
    /// <exception cref="InvalidDataException">The text is empty, not UTF-8, or lacks a special token; the message starts with <paramref name="subject"/>.</exception>
    internal static BertVocabulary Read(Stream stream, bool? lowerCase, string subject)
    {
        var tokens = new List<string>();

        // Strict UTF-8, so that a binary file is refused rather than read as a list of replacement characters.
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        using (var reader = new StreamReader(stream, utf8, detectEncodingFromByteOrderMarks: true, leaveOpen: true))
        {
            try
            {
                while (reader.ReadLine() is { } line)
                {
                    if (line.Contains('\0', StringComparison.Ordinal))
                    {
                        throw new InvalidDataException(
                            $"{subject} line {tokens.Count + 1} holds a NUL character: vocab.txt is text, one WordPiece token per line, and this looks like a binary file.");
                    }

                    tokens.Add(line.TrimEnd('\r'));
                }
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException(
                    $"{subject} is not UTF-8 text (line {tokens.Count + 1}): vocab.txt is text, one WordPiece token per line, and this looks like a binary file.", e);
            }
        }

        while (tokens.Count > 0 && tokens[^1].Length == 0)
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        if (tokens.Count == 0)
        {
            throw new InvalidDataException($"{subject} is empty: vocab.txt needs one WordPiece token per line, [PAD], [UNK], [CLS] and [SEP] included.");
        }

        string[] missing = SpecialTokens.Where(t => !tokens.Contains(t)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidDataException(
                $"{subject} lacks the special tokens {string.Join(", ", missing)} ({tokens.Count} tokens read): is it a BERT WordPiece vocabulary?");
        }

        return new BertVocabulary(tokens, lowerCase ?? !tokens.Any(t => t.Length > 0 && t[0] != '[' && t.Any(char.IsUpper)));
    }

    /// <summary>The vocabulary as <c>vocab.txt</c> content, for tokenizers that read a stream.</summary>
    public Stream OpenRead() => new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', Tokens) + "\n"), writable: false);

    /// <summary>
    /// Writes the tokenizer files into <paramref name="directory"/>, each atomically: <c>vocab.txt</c>, <c>vocab.json</c> and
    /// <c>merges.txt</c>, or <c>sentencepiece.bpe.model</c>, with a <c>tokenizer_config.json</c> carrying the tokenizer class,
    /// the casing and the special tokens, as Hugging Face's tokenizers read them.
    /// </summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        JsonObject config;
        switch (Kind)
        {
            case VocabularyKind.ByteLevelBpe:
                AtomicFile.WriteAllText(Path.Combine(directory, ModelFiles.VocabularyJson), VocabularyJson!);
                AtomicFile.WriteAllText(Path.Combine(directory, ModelFiles.Merges), Merges!);
                config = SpecialTokensConfig("RobertaTokenizer");
                config["add_prefix_space"] = true;
                break;
            case VocabularyKind.SentencePiece:
                AtomicFile.WriteAllBytes(Path.Combine(directory, ModelFiles.SentencePieceModel), SentencePieceModel);
                config = SpecialTokensConfig("XLMRobertaTokenizer");
                break;
            default:
                AtomicFile.WriteAllText(Path.Combine(directory, FileName), string.Join('\n', Tokens) + "\n");
                config = new JsonObject
                {
                    ["tokenizer_class"] = "BertTokenizer",
                    ["do_lower_case"] = LowerCase,
                    ["strip_accents"] = null,
                    ["tokenize_chinese_chars"] = true,
                };
                break;
        }

        AtomicFile.WriteAllText(Path.Combine(directory, TokenizerConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The vocabulary as one JSON text (kind, casing, special tokens and the tokenizer files), for an ONNX export's metadata.</summary>
    internal string ToPortableJson()
    {
        var node = new JsonObject
        {
            ["kind"] = Kind.ToString(),
            ["lower_case"] = LowerCase,
            ["cls"] = Special.Cls,
            ["sep"] = Special.Sep,
            ["pad"] = Special.Pad,
            ["unk"] = Special.Unknown,
        };
        switch (Kind)
        {
            case VocabularyKind.ByteLevelBpe:
                node["vocab_json"] = VocabularyJson;
                node["merges"] = Merges;
                break;
            case VocabularyKind.SentencePiece:
                node["sentencepiece_model"] = Convert.ToBase64String(SentencePieceModel!);
                break;
            default:
                node["tokens"] = new JsonArray(Tokens.Select(t => (JsonNode?)t).ToArray());
                break;
        }

        return node.ToJsonString();
    }

    /// <summary>Reads what <see cref="ToPortableJson"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The text is not such a vocabulary; the message starts with <paramref name="subject"/>.</exception>
    internal static BertVocabulary FromPortableJson(string json, string subject)
    {
        try
        {
            JsonObject node = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{subject} is not a JSON object.");
            var kind = Enum.Parse<VocabularyKind>(node["kind"]!.GetValue<string>());
            bool lowerCase = node["lower_case"]?.GetValue<bool>() ?? false;
            var special = new SpecialTokenNames(node["cls"]!.GetValue<string>(), node["sep"]!.GetValue<string>(), node["pad"]!.GetValue<string>(), node["unk"]!.GetValue<string>(), "<mask>");
            return kind switch
            {
                VocabularyKind.ByteLevelBpe => ReadByteLevelBpe(node["vocab_json"]!.GetValue<string>(), node["merges"]!.GetValue<string>(), lowerCase, special, subject),
                VocabularyKind.SentencePiece => ReadSentencePiece(Convert.FromBase64String(node["sentencepiece_model"]!.GetValue<string>()), lowerCase, subject),
                _ => new BertVocabulary(node["tokens"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray(), lowerCase),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or NullReferenceException)
        {
            throw new InvalidDataException($"{subject} is not a vocabulary this library wrote: {e.Message}", e);
        }
    }

    /// <summary>A SentencePiece tokenizer over a model's bytes, without special tokens added, in SentencePiece's own ids.</summary>
    internal static SentencePieceTokenizer CreateSentencePiece(byte[] model)
    {
        using var stream = new MemoryStream(model, writable: false);
        return SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
    }

    private static BertVocabulary ReadSentencePiece(byte[] model, bool lowerCase, string subject)
    {
        SentencePieceTokenizer tokenizer;
        try
        {
            tokenizer = CreateSentencePiece(model);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{subject} is not a SentencePiece model Microsoft.ML.Tokenizers reads: {e.Message}", e);
        }

        int count = tokenizer.Vocabulary.Values.DefaultIfEmpty(-1).Max() + 1;
        var pieces = new string[count];
        foreach ((string piece, int id) in tokenizer.Vocabulary)
        {
            pieces[id] = piece;
        }

        if (count < 4 || pieces[0] != "<unk>" || pieces[1] != "<s>" || pieces[2] != "</s>")
        {
            throw new InvalidDataException(
                $"{subject} does not start with the pieces <unk>, <s>, </s> (ids 0, 1, 2), the layout XLM-RoBERTa's ids are built on; got {string.Join(", ", pieces.Take(3))}.");
        }

        // XLM-R's fairseq dictionary: <s> <pad> </s> <unk>, SentencePiece's piece i (i >= 3) at i + 1, then <mask>.
        string[] tokens = [.. FairseqSpecials, .. pieces.Skip(3).Select(p => p ?? string.Empty), "<mask>"];
        return new BertVocabulary(VocabularyKind.SentencePiece, tokens, lowerCase, SpecialTokenNames.Roberta, null, null, model, subject);
    }

    private static BertVocabulary ReadByteLevelBpe(string vocabularyJson, string merges, bool lowerCase, SpecialTokenNames special, string subject)
    {
        Dictionary<string, int>? ids;
        try
        {
            ids = JsonSerializer.Deserialize<Dictionary<string, int>>(vocabularyJson);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{subject} is not a byte-level BPE vocab.json (a JSON object from token to id): {e.Message}", e);
        }

        if (ids is null || ids.Count == 0)
        {
            throw new InvalidDataException($"{subject} is empty: vocab.json needs a JSON object from token to id.");
        }

        int count = ids.Values.Max() + 1;
        if (ids.Values.Min() < 0 || count > 1 << 24)
        {
            throw new InvalidDataException($"{subject} has ids outside [0, {1 << 24}).");
        }

        var tokens = new string[count];
        Array.Fill(tokens, string.Empty);
        foreach ((string token, int id) in ids)
        {
            tokens[id] = token;
        }

        return new BertVocabulary(VocabularyKind.ByteLevelBpe, tokens, lowerCase, special, vocabularyJson, merges, null, subject);
    }

    private JsonObject SpecialTokensConfig(string tokenizerClass)
    {
        var config = new JsonObject
        {
            ["tokenizer_class"] = tokenizerClass,
            ["bos_token"] = Special.Cls,
            ["eos_token"] = Special.Sep,
            ["cls_token"] = Special.Cls,
            ["sep_token"] = Special.Sep,
            ["pad_token"] = Special.Pad,
            ["unk_token"] = Special.Unknown,
        };
        if (_ids.ContainsKey(Special.Mask))
        {
            config["mask_token"] = Special.Mask;
        }

        if (LowerCase)
        {
            config["do_lower_case"] = true;
        }

        return config;
    }

    private static Dictionary<string, int> IdsOf(IReadOnlyList<string> tokens)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            ids.TryAdd(tokens[i], i);
        }

        return ids;
    }

    private int IndexOf(string token) => _ids.TryGetValue(token, out int id) ? id : -1;

    private static JsonObject? ReadTokenizerConfig(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"'{path}' is not a valid tokenizer configuration: it does not hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid tokenizer configuration: {e.Message}", e);
        }
    }

    private static bool? ReadLowerCase(JsonObject? config, string path)
    {
        try
        {
            return config?["do_lower_case"]?.GetValue<bool>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is not a valid tokenizer configuration: do_lower_case: {e.Message}", e);
        }
    }

    /// <summary>RoBERTa's special tokens, as <c>tokenizer_config.json</c> names them (a string or an added-token object with <c>content</c>).</summary>
    private static SpecialTokenNames ReadSpecialTokens(JsonObject? config, string path)
    {
        string Read(string key, string? fallbackKey, string fallback)
        {
            JsonNode? value = config?[key] ?? (fallbackKey is null ? null : config?[fallbackKey]);
            try
            {
                return value switch
                {
                    null => fallback,
                    JsonObject added => added["content"]?.GetValue<string>() ?? fallback,
                    _ => value.GetValue<string>(),
                };
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"'{path}': {key} is neither a string nor an object with content: {e.Message}", e);
            }
        }

        SpecialTokenNames d = SpecialTokenNames.Roberta;
        return new SpecialTokenNames(
            Read("cls_token", "bos_token", d.Cls), Read("sep_token", "eos_token", d.Sep), Read("pad_token", null, d.Pad), Read("unk_token", null, d.Unknown), Read("mask_token", null, d.Mask));
    }
}
