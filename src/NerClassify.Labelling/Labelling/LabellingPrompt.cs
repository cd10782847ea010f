using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace NerClassify.Labelling;

/// <summary>Fills the instruction template, builds the chat messages for a sentence and derives its cache key.</summary>
internal sealed partial class LabellingPrompt
{
    // Bumped when the key material changes, so that old cache entries stop matching instead of being misread.
    private const string KeyVersion = "nerclassify-labelling-v1";

    private readonly SentenceLabellerOptions _options;
    private readonly string _categoryLines;
    private readonly string _labelList;
    private readonly ChatMessage[] _examples;
    private readonly byte[] _keyPrefix;

    public LabellingPrompt(SentenceLabellerOptions options, string modelId)
    {
        _options = options;
        ModelId = modelId;
        var categories = options.Categories;
        _categoryLines = string.Join('\n', categories.Select((name, i) => $"{i}: {name}"));
        _labelList = LabelList(categories.Count);

        _examples = new ChatMessage[options.FewShotExamples.Count * 2];
        for (int i = 0; i < options.FewShotExamples.Count; i++)
        {
            var example = options.FewShotExamples[i];
            _examples[2 * i] = new ChatMessage(ChatRole.User, Fill(example.Text));
            _examples[(2 * i) + 1] = new ChatMessage(ChatRole.Assistant, example.Label.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // Everything but the sentence's own message: model, classes (they give numbers their meaning) and the example turns.
        var prefix = new StringBuilder();
        prefix.Append(KeyVersion).Append('\0').Append(modelId).Append('\0');
        foreach (string name in categories)
        {
            prefix.Append(name).Append('\u001f');
        }

        prefix.Append('\0');
        foreach (var message in _examples)
        {
            prefix.Append(message.Role.Value).Append('\u001f').Append(message.Text).Append('\0');
        }

        _keyPrefix = Encoding.UTF8.GetBytes(prefix.ToString());
    }

    /// <summary>The model id the cache keys are made for.</summary>
    public string ModelId { get; }

    /// <summary>The instruction for <paramref name="sentence"/>: the template with every placeholder filled.</summary>
    public string Fill(string sentence) =>
        PlaceholderPattern().Replace(_options.InstructionTemplate, match => match.Value switch
        {
            SentenceLabellerOptions.SentencePlaceholder => sentence,
            SentenceLabellerOptions.CategoriesPlaceholder => _categoryLines,
            SentenceLabellerOptions.MaxLabelPlaceholder => (_options.Categories.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            SentenceLabellerOptions.LabelListPlaceholder => _labelList,
            _ => match.Value,
        });

    /// <summary>The messages of one request: the example turns, then the filled instruction.</summary>
    public List<ChatMessage> Messages(string filledInstruction)
    {
        var messages = new List<ChatMessage>(_examples.Length + 1);
        messages.AddRange(_examples);
        messages.Add(new ChatMessage(ChatRole.User, filledInstruction));
        return messages;
    }

    /// <summary>A SHA-256 hex key over the model id, the classes, the example turns, the filled instruction and the sentence.</summary>
    public string CacheKey(string filledInstruction, string sentence)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(_keyPrefix);
        hash.AppendData(Encoding.UTF8.GetBytes(filledInstruction));
        hash.AppendData("\0"u8);
        hash.AppendData(Encoding.UTF8.GetBytes(sentence));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string LabelList(int count) => count switch
    {
        1 => "0",
        2 => "0 or 1",
        _ => string.Join(", ", Enumerable.Range(0, count - 1)) + $", or {count - 1}",
    };

    [GeneratedRegex(@"\{(?:sentence|categories|maxLabel|labelList)\}", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();
}
