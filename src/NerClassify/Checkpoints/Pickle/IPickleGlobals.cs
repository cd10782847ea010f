namespace NerClassify.Checkpoints.Pickle;

/// <summary>What a <see cref="RestrictedUnpickler"/> may import and call.</summary>
internal interface IPickleGlobals
{
    /// <summary>Whether the global <c>module.name</c> may appear at all.</summary>
    bool IsAllowed(string module, string name);

    /// <summary>Calls an allowed global (REDUCE or NEWOBJ).</summary>
    /// <exception cref="PickleException">The arguments are not what the function takes.</exception>
    object? Call(PickleGlobal callable, PickleTuple arguments);

    /// <summary>Applies BUILD state to <paramref name="target"/>; false when that is not allowed.</summary>
    bool Build(object? target, object? state);

    /// <summary>Resolves a persistent id (BINPERSID).</summary>
    /// <exception cref="PickleException">The id is not a storage reference.</exception>
    object? PersistentLoad(object? id);
}
