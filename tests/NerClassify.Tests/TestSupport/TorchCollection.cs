namespace NerClassify.Tests.TestSupport;

/// <summary>
/// Tests that seed TorchSharp's global generator or change its thread count run one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "Torch";
}
