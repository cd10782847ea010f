namespace NerClassify.Configuration;

/// <summary>
/// What follows from a <see cref="TaskKind"/>: which heads it has, its Hugging Face architecture name and its
/// description. The one table of them, beside the enum: the task models answer from it, and the tensor-free
/// configuration reader (which cannot see the models) reads plain Hugging Face directories with it.
/// </summary>
public static class TaskKinds
{
    // Indexed by the enum's value: Token, Sequence, Multitask.
    private static readonly string[] Architectures = ["BertForTokenClassification", "BertForSequenceClassification", "BertForMultitaskClassification"];
    private static readonly string[] Descriptions = ["an entity model", "a sentence classifier", "a multitask model"];

    /// <summary>Whether the task has a token (entity) head.</summary>
    /// <param name="task">The task.</param>
    public static bool HasTokenHead(this TaskKind task) => task != TaskKind.Sequence;

    /// <summary>Whether the task has a sentence head.</summary>
    /// <param name="task">The task.</param>
    public static bool HasSequenceHead(this TaskKind task) => task != TaskKind.Token;

    /// <summary>The task of a model with the given heads.</summary>
    /// <param name="token">Whether it has a token head.</param>
    /// <param name="sequence">Whether it has a sentence head.</param>
    /// <exception cref="ArgumentException">Neither head.</exception>
    public static TaskKind FromHeads(bool token, bool sequence) => (token, sequence) switch
    {
        (true, true) => TaskKind.Multitask,
        (true, false) => TaskKind.Token,
        (false, true) => TaskKind.Sequence,
        _ => throw new ArgumentException("A model needs a token head, a sentence head or both: give token labels, sentence labels or both."),
    };

    /// <summary>The Hugging Face architecture name written to <c>config.json</c>.</summary>
    internal static string ArchitectureName(this TaskKind task) => Architectures[(int)task];

    /// <summary>The task of a Hugging Face architecture name, or null when it is none of ours.</summary>
    internal static TaskKind? FromArchitecture(string architecture) =>
        Array.IndexOf(Architectures, architecture) is int index and >= 0 ? (TaskKind)index : null;

    /// <summary>A short description for messages ("an entity model").</summary>
    /// <param name="task">The task.</param>
    public static string Description(this TaskKind task) => Descriptions[(int)task];
}
