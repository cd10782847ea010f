namespace NerClassify.Labelling;

/// <summary>
/// How <see cref="SentenceLabeller"/> asks a language model for sentence labels. The defaults follow the report:
/// five topics, its instruction layout, temperature 0.2 and a single integer as the answer. Change options with <c>with</c>.
/// </summary>
public sealed record SentenceLabellerOptions
{
    /// <summary>Placeholder in <see cref="InstructionTemplate"/> for the sentence to label.</summary>
    public const string SentencePlaceholder = "{sentence}";

    /// <summary>Placeholder in <see cref="InstructionTemplate"/> for the numbered category list, one <c>number: name</c> line per class.</summary>
    public const string CategoriesPlaceholder = "{categories}";

    /// <summary>Placeholder in <see cref="InstructionTemplate"/> for the highest class number (4 for five classes).</summary>
    public const string MaxLabelPlaceholder = "{maxLabel}";

    /// <summary>Placeholder in <see cref="InstructionTemplate"/> for the class numbers written out as a list (<c>0, 1, 2, 3, or 4</c>).</summary>
    public const string LabelListPlaceholder = "{labelList}";

    /// <summary>
    /// The instruction of the report (its Figure 3): a task line, the numbered categories, what to do, the expected output,
    /// and finally <c>Input:</c> followed by the sentence.
    /// </summary>
    public const string DefaultInstructionTemplate =
        "Task: Classify the given document based on its topic into one of the following categories:\n" +
        CategoriesPlaceholder + "\n" +
        "Instructions: Analyze the content of the input sentence and assign the appropriate topic label as an integer (0 to " + MaxLabelPlaceholder + ").\n" +
        "Output Format: A single integer (" + LabelListPlaceholder + ") representing the most relevant topic category.\n" +
        "Input: " + SentencePlaceholder;

    /// <summary>The topic classes of the report, in label order: World, Sport, Business, Technology, Other.</summary>
    public static IReadOnlyList<string> DefaultCategories { get; } = ["World", "Sport", "Business", "Technology", "Other"];

    // Declared after DefaultCategories: static initializers run in textual order.
    /// <summary>The default options.</summary>
    public static SentenceLabellerOptions Default { get; } = new();

    /// <summary>The class names; a class's number is its position in this list. Default <see cref="DefaultCategories"/>.</summary>
    public IReadOnlyList<string> Categories { get; init; } = DefaultCategories;

    /// <summary>
    /// The user message sent for each sentence. Placeholders are filled in one pass, so a sentence that happens to contain a placeholder is left as written:
    /// <see cref="SentencePlaceholder"/> (required), <see cref="CategoriesPlaceholder"/>, <see cref="MaxLabelPlaceholder"/> and <see cref="LabelListPlaceholder"/>.
    /// Default <see cref="DefaultInstructionTemplate"/>.
    /// </summary>
    public string InstructionTemplate { get; init; } = DefaultInstructionTemplate;

    /// <summary>Labelled examples sent before each sentence as earlier user and assistant turns. Default none, as in the report.</summary>
    public IReadOnlyList<FewShotExample> FewShotExamples { get; init; } = [];

    /// <summary>The model to request, or <see langword="null"/> (the default) for the client's own default model.</summary>
    public string? ModelId { get; init; }

    /// <summary>The sampling temperature, or <see langword="null"/> for the service's default. Default 0.2, as in the report.</summary>
    public float? Temperature { get; init; } = 0.2f;

    /// <summary>The most tokens the model may answer with, or <see langword="null"/> (the default) for no limit; the instruction already asks for one integer.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Requests per sentence at most, the first one included, before it is recorded as unlabelled. Default 3.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The wait before the second attempt; each later wait doubles, up to <see cref="MaxBackoff"/>. Default 1 second.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts. Default 30 seconds.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one request may take before it counts as a failed attempt, or <see cref="Timeout.InfiniteTimeSpan"/>. Default 60 seconds.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Requests in flight at once at most. Default 4.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; the exception's parameter name is the property's name.</exception>
    public void Validate()
    {
        if (Categories is null || Categories.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Categories), "At least one category is required.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string name in Categories)
        {
            if (string.IsNullOrWhiteSpace(name) || name.AsSpan().IndexOfAny('\t', '\r', '\n') >= 0 || name != name.Trim())
            {
                throw new ArgumentOutOfRangeException(nameof(Categories), name, "Category names must be non-empty, without surrounding spaces, tabs or line breaks.");
            }

            if (int.TryParse(name, out _))
            {
                throw new ArgumentOutOfRangeException(nameof(Categories), name, "Category names must not be numbers, which would clash with class numbers in answers.");
            }

            if (!seen.Add(name))
            {
                throw new ArgumentOutOfRangeException(nameof(Categories), name, "Category names must be distinct (ignoring case).");
            }
        }

        if (string.IsNullOrWhiteSpace(InstructionTemplate) || !InstructionTemplate.Contains(SentencePlaceholder, StringComparison.Ordinal))
        {
            throw new ArgumentOutOfRangeException(nameof(InstructionTemplate), $"The instruction template must contain {SentencePlaceholder}.");
        }

        if (FewShotExamples is null)
        {
            throw new ArgumentOutOfRangeException(nameof(FewShotExamples), "Use an empty list for no examples.");
        }

        foreach (var example in FewShotExamples)
        {
            if (example is null || string.IsNullOrWhiteSpace(example.Text) || example.Label < 0 || example.Label >= Categories.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(FewShotExamples), example, "Each example needs a text and a label between 0 and the number of categories - 1.");
            }
        }

        if (ModelId is not null && string.IsNullOrWhiteSpace(ModelId))
        {
            throw new ArgumentOutOfRangeException(nameof(ModelId), ModelId, "ModelId must be null or non-blank.");
        }

        if (Temperature is { } temperature && (float.IsNaN(temperature) || temperature < 0f || temperature > 2f))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), temperature, "Temperature must be between 0 and 2.");
        }

        if (MaxOutputTokens is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxOutputTokens), MaxOutputTokens, "MaxOutputTokens must be null or positive.");
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be at least 1.");
        }

        if (InitialBackoff < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialBackoff), InitialBackoff, "InitialBackoff must not be negative.");
        }

        if (MaxBackoff < InitialBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBackoff), MaxBackoff, "MaxBackoff must not be shorter than InitialBackoff.");
        }

        if (RequestTimeout <= TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "RequestTimeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        if (MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "MaxConcurrency must be at least 1.");
        }
    }
}
