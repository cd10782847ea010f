namespace NerClassify.Heads;

/// <summary>
/// Factories for heads of your own, by <see cref="TokenHead.HeadType"/> / <see cref="SequenceHead.HeadType"/>. A
/// saved model records a custom head's type name in <c>config.json</c>; loading it
/// (<see cref="NerClassifier.Load"/> with the registry)
/// finds the factory under that name, builds the head, and then loads its weights. The library's own heads need no
/// registration. A registry is an ordinary object passed where it is needed; nothing is registered process-wide.
/// </summary>
public sealed class HeadRegistry
{
    private readonly Dictionary<string, Func<HeadContext, TokenHead>> _tokenHeads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<HeadContext, SequenceHead>> _sequenceHeads = new(StringComparer.Ordinal);

    /// <summary>Registers the factory of a token head type.</summary>
    /// <param name="headType">The name the head passes to its base constructor (its <see cref="TokenHead.HeadType"/>).</param>
    /// <param name="create">Builds an untrained head; its weights are loaded afterwards.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is empty, is the built-in head's, or is already registered.</exception>
    public HeadRegistry AddTokenHead(string headType, Func<HeadContext, TokenHead> create)
    {
        Add(_tokenHeads, headType, create, TokenClassificationHead.TypeName);
        return this;
    }

    /// <summary>Registers the factory of a sequence head type.</summary>
    /// <param name="headType">The name the head passes to its base constructor (its <see cref="SequenceHead.HeadType"/>).</param>
    /// <param name="create">Builds an untrained head; its weights are loaded afterwards.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is empty, is the built-in head's, or is already registered.</exception>
    public HeadRegistry AddSequenceHead(string headType, Func<HeadContext, SequenceHead> create)
    {
        Add(_sequenceHeads, headType, create, SequenceClassificationHead.TypeName);
        return this;
    }

    /// <summary>Builds the registered token head <paramref name="headType"/>; <paramref name="source"/> names the file that asked for it.</summary>
    internal TokenHead CreateTokenHead(string headType, HeadContext context, string source) =>
        Check(Find(_tokenHeads, headType, "token", nameof(AddTokenHead), source)(context), headType, h => h.HeadType, h => h.LabelCount, context, source);

    /// <summary>Builds the registered sequence head <paramref name="headType"/>; <paramref name="source"/> names the file that asked for it.</summary>
    internal SequenceHead CreateSequenceHead(string headType, HeadContext context, string source) =>
        Check(Find(_sequenceHeads, headType, "sequence", nameof(AddSequenceHead), source)(context), headType, h => h.HeadType, h => h.ClassCount, context, source);

    private static void Add<THead>(Dictionary<string, Func<HeadContext, THead>> factories, string headType, Func<HeadContext, THead> create, string builtIn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(headType);
        ArgumentNullException.ThrowIfNull(create);
        if (headType == builtIn)
        {
            throw new ArgumentException($"'{headType}' is the library's own head; it needs no registration.", nameof(headType));
        }

        if (!factories.TryAdd(headType, create))
        {
            throw new ArgumentException($"A head named '{headType}' is already registered.", nameof(headType));
        }
    }

    private static Func<HeadContext, THead> Find<THead>(Dictionary<string, Func<HeadContext, THead>> factories, string headType, string kind, string method, string source) =>
        factories.TryGetValue(headType, out Func<HeadContext, THead>? create) ? create
            : throw new InvalidOperationException(
                $"'{source}' names the {kind} head '{headType}', which this HeadRegistry does not know; register its factory with {method}(\"{headType}\", ...) and pass the registry when loading.");

    private static THead Check<THead>(THead head, string headType, Func<THead, string> type, Func<THead, int> count, HeadContext context, string source)
    {
        if (head is null || type(head) != headType || count(head) != context.LabelCount)
        {
            (head as IDisposable)?.Dispose();
            throw new InvalidOperationException(
                $"The factory registered for '{headType}' (asked for by '{source}') must build a head of that type with {context.LabelCount} outputs.");
        }

        return head;
    }
}
