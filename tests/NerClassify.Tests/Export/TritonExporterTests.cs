using FluentAssertions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NerClassify.Export;
using NerClassify.Heads;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Export;

[Collection(TorchCollection.Name)]
public sealed class TritonExporterTests : IDisposable
{
    private readonly TempDirectory _repository = new();

    public void Dispose() => _repository.Dispose();

    [Theory]
    [InlineData(0, false)]
    [InlineData(4, false)]
    [InlineData(0, true)]
    public void Export_TinyMultitask_ConfigMatchesTheOnnxModelsInputsAndOutputs(int casingSize, bool characterFeatures)
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 4), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { CasingEmbeddingSize = casingSize, CharacterFeatures = characterFeatures });

        string folder = TritonExporter.Export(model, _repository.Path, new TritonExportOptions { ModelName = "tiny-ner", MaxBatchSize = 16 });

        folder.Should().Be(Path.Combine(_repository.Path, "tiny-ner"));
        Dictionary<string, List<object>> config = TextProto.Parse(File.ReadAllText(Path.Combine(folder, TritonExporter.ConfigFileName)));
        Single(config, "name").Should().Be("tiny-ner");
        Single(config, "platform").Should().Be("onnxruntime_onnx");
        Single(config, "max_batch_size").Should().Be(16L);
        using var session = new InferenceSession(Path.Combine(folder, "1", OnnxExporter.FileName));
        Tensors(config, "input").Should().BeEquivalentTo(Expected(session.InputMetadata), o => o.WithStrictOrdering());
        Tensors(config, "output").Should().BeEquivalentTo(Expected(session.OutputMetadata), o => o.WithStrictOrdering());
        session.InputMetadata.Keys.Contains(OnnxTensorNames.CasingIds).Should().Be(casingSize > 0);
        Tensors(config, "input").Where(t => t.Name == OnnxTensorNames.CharacterIds).Select(t => t.Dims)
            .Should().BeEquivalentTo(characterFeatures ? [new long[] { -1, 16 }] : Array.Empty<long[]>());
    }

    [Fact]
    public void Export_TinyMultitask_WritesLabelFilesNamedByTheirOutputs()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 4), TinyData.TokenLabels, TinyData.Topics);

        string folder = TritonExporter.Export(model, _repository.Path);

        Dictionary<string, List<object>> config = TextProto.Parse(File.ReadAllText(Path.Combine(folder, TritonExporter.ConfigFileName)));
        var labelFiles = config["output"].Cast<Dictionary<string, List<object>>>().ToDictionary(o => (string)Single(o, "name"), o => (string)Single(o, "label_filename"));
        File.ReadAllLines(Path.Combine(folder, labelFiles[OnnxTensorNames.TokenLogits])).Should().Equal(TinyData.TokenLabels);
        File.ReadAllLines(Path.Combine(folder, labelFiles[OnnxTensorNames.SequenceLogits])).Should().Equal(TinyData.Topics);
    }

    [Fact]
    public void Export_BatchingOptions_WritesTheDynamicBatcher()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(seed: 4, addPooler: false), TinyData.TokenLabels);

        string folder = TritonExporter.Export(model, _repository.Path, new TritonExportOptions { MaxBatchSize = 64, MaxQueueDelay = TimeSpan.FromMilliseconds(2.5), PreferredBatchSizes = [16, 32] });

        Dictionary<string, List<object>> config = TextProto.Parse(File.ReadAllText(Path.Combine(folder, TritonExporter.ConfigFileName)));
        var batching = (Dictionary<string, List<object>>)Single(config, "dynamic_batching");
        Single(batching, "max_queue_delay_microseconds").Should().Be(2500L);
        batching["preferred_batch_size"].Should().Equal(16L, 32L);
        config["output"].Should().ContainSingle();
        File.Exists(Path.Combine(folder, TritonExporter.SequenceLabelsFileName)).Should().BeFalse();
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("")]
    public void Validate_BadModelName_ThrowsNamingModelName(string name)
    {
        Action act = () => new TritonExportOptions { ModelName = name }.Validate();

        act.Should().Throw<ArgumentException>().WithParameterName("ModelName");
    }

    [Fact]
    public void Validate_PreferredSizeAboveMax_ThrowsNamingPreferredBatchSizes()
    {
        Action act = () => new TritonExportOptions { MaxBatchSize = 8, PreferredBatchSizes = [16] }.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("PreferredBatchSizes");
    }

    private static object Single(Dictionary<string, List<object>> message, string field)
    {
        message.Should().ContainKey(field);
        message[field].Should().ContainSingle();
        return message[field][0];
    }

    private static List<(string Name, string Type, long[] Dims)> Tensors(Dictionary<string, List<object>> config, string field) =>
        config[field].Cast<Dictionary<string, List<object>>>()
            .Select(t => ((string)Single(t, "name"), (string)Single(t, "data_type"), t["dims"].Cast<long>().ToArray()))
            .ToList();

    // ONNX Runtime reports a symbolic dimension as -1; Triton's dims leave out the leading batch dimension.
    private static List<(string Name, string Type, long[] Dims)> Expected(IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        metadata.Select(m =>
        {
            m.Value.Dimensions[0].Should().Be(-1, $"{m.Key} has a dynamic batch dimension");
            string type = m.Value.ElementDataType switch
            {
                TensorElementType.Int64 => "TYPE_INT64",
                TensorElementType.Float => "TYPE_FP32",
                var other => throw new InvalidOperationException($"unexpected element type {other}"),
            };
            return (m.Key, type, m.Value.Dimensions.Skip(1).Select(d => (long)d).ToArray());
        }).ToList();
}
