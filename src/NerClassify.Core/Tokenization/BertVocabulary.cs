using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NerClassify.IO;

namespace NerClassify.Tokenization;

/// <summary>
/// A WordPiece vocabulary (<c>vocab.txt</c>, one token per line, the line number is the id) and whether
/// the model expects lower-cased, accent-stripped input.
/// </summary>
public sealed class BertVocabulary
{
    /// <summary>The vocabulary file name in a Hugging Face model directory.</summary>
    public const string FileName = IO.ModelFiles.Vocabulary;

    private const string TokenizerConfigFile = ModelFiles.TokenizerConfig;

    private static readonly string[] SpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];

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
    }

    /// <summary>Tokens in id order.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Whether input is lower-cased (and accents stripped) before WordPiece.</summary>
    public bool LowerCase { get; }

    /// <summary>The id of <c>[PAD]</c>.</summary>
    public int PadId => IndexOf("[PAD]");

    /// <summary>
    /// Reads <c>vocab.txt</c> from a model directory; the casing comes from <c>tokenizer_config.json</c>'s
    /// <c>do_lower_case</c> when present, otherwise from the vocabulary (no upper-case letters means uncased).
    /// </summary>
    /// <exception cref="FileNotFoundException"><c>vocab.txt</c> is missing; the message names the path.</exception>
    /// <exception cref="InvalidDataException"><c>vocab.txt</c> is empty, not UTF-8 text, or lacks a special token; the message names the path.</exception>
    public static BertVocabulary Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model directory '{directory}' has no {FileName}.", path);
        }

        using FileStream stream = File.OpenRead(path);
        bool? lowerCase = ReadLowerCase(Path.Combine(directory, TokenizerConfigFile));
        return Read(stream, lowerCase, $"'{path}'");
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

    /// <summary>Writes <c>vocab.txt</c> and a <c>tokenizer_config.json</c> carrying the casing into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), string.Join('\n', Tokens) + "\n");
        var config = new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = LowerCase,
            ["strip_accents"] = null,
            ["tokenize_chinese_chars"] = true,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, TokenizerConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private int IndexOf(string token)
    {
        for (int i = 0; i < Tokens.Count; i++)
        {
            if (Tokens[i] == token)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool? ReadLowerCase(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            JsonNode? node = JsonNode.Parse(File.ReadAllText(path));
            return node?["do_lower_case"]?.GetValue<bool>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is not a valid tokenizer configuration: {e.Message}", e);
        }
    }
}
