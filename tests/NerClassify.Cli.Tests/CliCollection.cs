namespace NerClassify.Cli.Tests;

/// <summary>The commands share TorchSharp's global generator and thread pool and the process's console: one test at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliCollection : ICollectionFixture<TinyWorkspace>
{
    public const string Name = "Cli";
}
