namespace NerClassify.Checkpoints.Pickle;

/// <summary>A Python tuple read from a pickle.</summary>
internal sealed record PickleTuple(object?[] Items)
{
    /// <summary>Number of items.</summary>
    public int Count => Items.Length;

    /// <summary>The item at <paramref name="index"/>.</summary>
    public object? this[int index] => Items[index];
}
