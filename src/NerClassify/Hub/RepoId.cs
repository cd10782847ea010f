using System.Text.RegularExpressions;

namespace NerClassify.Hub;

/// <summary>A checked model id (<c>name</c> or <c>org/name</c>) and the names derived from it.</summary>
internal sealed partial record RepoId
{
    private RepoId(string value) => Value = value;

    /// <summary>The id as given, for example <c>dslim/bert-base-NER</c>.</summary>
    public string Value { get; }

    /// <summary>The cache folder name: <c>models--dslim--bert-base-NER</c>.</summary>
    public string CacheFolderName => "models--" + Value.Replace("/", "--", StringComparison.Ordinal);

    /// <summary>Checks <paramref name="modelId"/> the way <c>huggingface_hub</c> does (letters, digits, <c>-_.</c>, at most one <c>/</c>, no <c>--</c> or <c>..</c>, at most 96 characters).</summary>
    /// <exception cref="ArgumentException">The id is malformed; the message names it.</exception>
    public static RepoId Parse(string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        if (modelId.Length > 96 || !Pattern().IsMatch(modelId) || modelId.Contains("--", StringComparison.Ordinal) || modelId.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{modelId}' is not a valid model id: use 'name' or 'org/name' with letters, digits, '-', '_' and '.', without '--' or '..', at most 96 characters.", nameof(modelId));
        }

        return new RepoId(modelId);
    }

    /// <inheritdoc/>
    public override string ToString() => Value;

    [GeneratedRegex(@"^([A-Za-z0-9_.\-]+/)?[A-Za-z0-9_.\-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
