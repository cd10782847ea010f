namespace NerClassify.Checkpoints.Pickle;

/// <summary>A Python dict (or <c>OrderedDict</c>) read from a pickle: its entries in insertion order.</summary>
internal sealed class PickleDict
{
    /// <summary>The entries, in the order the pickle set them; a repeated key keeps both (the caller decides).</summary>
    public List<KeyValuePair<object?, object?>> Entries { get; } = [];

    /// <summary>Adds an entry.</summary>
    public void Add(object? key, object? value) => Entries.Add(new(key, value));
}
