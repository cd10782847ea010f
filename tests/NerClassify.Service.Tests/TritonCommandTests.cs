using FluentAssertions;
using NerClassify.Export;
using NerClassify.Samples.Service;

namespace NerClassify.Service.Tests;

public sealed class TritonCommandTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    [Fact]
    public void Run_ModelDirectory_WritesARepositoryWithTheGivenNameAndBatchSize()
    {
        string repository = Directory.CreateTempSubdirectory("nerclassify-triton-").FullName;
        try
        {
            int exit = TritonCommand.Run([service.ModelDirectory, repository, "ner", "8"]);

            exit.Should().Be(0);
            string config = File.ReadAllText(Path.Combine(repository, "ner", TritonExporter.ConfigFileName));
            config.Should().Contain("name: \"ner\"").And.Contain("max_batch_size: 8").And.Contain("platform: \"onnxruntime_onnx\"");
            File.Exists(Path.Combine(repository, "ner", "1", OnnxExporter.FileName)).Should().BeTrue();
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }

    [Fact]
    public void Run_PreferredBatchSizes_WritesThemIntoTheDynamicBatcher()
    {
        string repository = Directory.CreateTempSubdirectory("nerclassify-triton-").FullName;
        try
        {
            int exit = TritonCommand.Run([service.ModelDirectory, repository, "ner", "32", "8,16,32"]);

            exit.Should().Be(0);
            File.ReadAllText(Path.Combine(repository, "ner", TritonExporter.ConfigFileName)).Should().Contain("preferred_batch_size: [ 8, 16, 32 ]");
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }

    [Fact]
    public void Run_PreferredBatchSizeAboveTheMaximum_PrintsTheProblemAndReturns2()
    {
        TritonCommand.Run([service.ModelDirectory, Path.Combine(Path.GetTempPath(), "never-written"), "ner", "8", "4,16"]).Should().Be(2);
    }

    [Fact]
    public void Run_MissingArguments_PrintsUsageAndReturns2()
    {
        TritonCommand.Run(["only-one"]).Should().Be(2);
    }
}
