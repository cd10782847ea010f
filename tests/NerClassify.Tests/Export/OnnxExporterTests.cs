using NerClassify.OnnxRuntime;
using FluentAssertions;
using Microsoft.ML.OnnxRuntime;
using NerClassify.Checkpoints.Onnx;
using NerClassify.Data;
using NerClassify.Export;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NerClassify.Tests.Export;

[Collection(TorchCollection.Name)]
public sealed class OnnxExporterTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[][] Sentences =
    [
        ["John", "Smith", "visited", "Paris", "today", "."],
        ["Mary", "won", "the", "match", "in", "London", "."],
        ["Google", "shares", "on", "the", "market", "."],
        ["The", "United", "Nations", "met", "in", "Berlin", "(", "Germany", ")", "."],
        ["Microsoft", "stock", "was", "new", "today", "!"],
        ["The", "team", "won", "the", "game", "in", "New", "York", "."],
        ["Reuters"],
        ["A", "goal", "for", "France", "and", "a", "goal", "for", "Germany", "at", "the", "match", "with", "Smith", "."],
        ["1", "2", "3"],
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("nerclassify-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(4, 0, false)]
    [InlineData(4, 16, false)]
    [InlineData(0, 0, true)]
    public void Export_TinyMultitask_OnnxRuntimeLogitsMatchTorchSharpWithin1e4(int casingSize, int hiddenSize, bool casingInput)
    {
        using MultitaskModel model = TinyMultitask(casingSize, hiddenSize, casingInput);
        string path = Path.Combine(_folder, "model.onnx");
        OnnxExporter.Export(model, path);
        Batch batch = ExportedGraph.BatchOf(model, TinyBert.Vocabulary(), Sentences);

        (float[]? tokens, float[]? sequences) = ExportedGraph.TorchLogits(model, batch);
        var onnx = ExportedGraph.OnnxRun(path, batch);

        batch.AttentionMask.Should().Contain(0, "the batch must include padding");
        float tokenDiff = ExportedGraph.MaxAbsDifference(tokens!, onnx[OnnxTensorNames.TokenLogits].Values);
        float sequenceDiff = ExportedGraph.MaxAbsDifference(sequences!, onnx[OnnxTensorNames.SequenceLogits].Values);
        output.WriteLine($"tiny multitask (casing {casingSize}, hidden {hiddenSize}, input casing {casingInput}), [{batch.BatchSize}, {batch.SequenceLength}]: max |diff| token {tokenDiff:E2}, sequence {sequenceDiff:E2}");
        tokenDiff.Should().BeLessThan(1e-4f);
        sequenceDiff.Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void LoadOnnx_TinyMultitaskWithCasing_PredictsLikeTorchSharp()
    {
        using MultitaskModel model = TinyMultitask(casingSize: 4, hiddenSize: 0);
        string path = Path.Combine(_folder, "model.onnx");
        var options = new PredictorOptions { BatchSize = 4 };
        using var torch = NerClassifier.FromModel(model, TinyBert.Vocabulary(), options);
        torch.ExportOnnx(path);
        using OnnxNerClassifier onnx = OnnxNerClassifier.Load(path, options);

        string[] expected = torch.PredictBatch(Sentences).Select(ExportedGraph.Describe).ToArray();
        string[] actual = onnx.PredictBatch(Sentences).Select(ExportedGraph.Describe).ToArray();

        actual.Should().Equal(expected);
        onnx.Config.TokenLabels.Should().Equal(TinyData.TokenLabels);
        onnx.Config.SequenceLabels.Should().Equal(TinyData.Topics);
        onnx.Config.Should().BeEquivalentTo(torch.Config);
    }

    [Fact]
    public void Export_TinyMultitask_LoadsFullyOptimizedAndUsesEveryInitializer()
    {
        using MultitaskModel model = TinyMultitask(casingSize: 4, hiddenSize: 8);
        string path = Path.Combine(_folder, "model.onnx");
        OnnxExporter.Export(model, path, new OnnxExportOptions { LowerCase = true, Encoding = new() { MaxLength = 64, Stride = 16 } });

        ModelProto proto = ExportedGraph.Parse(path);
        string optimizedPath = Path.Combine(_folder, "optimized.onnx");
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimizedPath };
        using var session = new InferenceSession(path, options);
        string[] optimizedOps = ExportedGraph.Parse(optimizedPath).Graph.Node.Select(n => n.OpType).ToArray();
        output.WriteLine("after ORT_ENABLE_ALL: " + string.Join(", ", optimizedOps.GroupBy(o => o).Select(g => $"{g.Key} x{g.Count()}")));

        ExportedGraph.UnusedInitializers(proto).Should().BeEmpty();
        optimizedOps.Should().Contain("BiasGelu", "ONNX Runtime fuses the erf GELU pattern").And.NotContain("Erf");
        proto.IrVersion.Should().Be(8);
        proto.OpsetImport.Should().ContainSingle(o => o.Domain == string.Empty && o.Version == 17);
        proto.Graph.Node.Select(n => n.OpType).Should().Contain(["LayerNormalization", "Erf", "Softmax"]).And.NotContain("Dropout");
        proto.Graph.Initializer.Should().OnlyContain(i => i.RawData.Length > 0);
        proto.Graph.Input.Select(i => i.Name).Should().Equal("input_ids", "attention_mask", "token_type_ids", "casing_ids");
        session.OutputMetadata.Keys.Should().Equal("token_logits", "sequence_logits");
        session.OutputMetadata["token_logits"].Dimensions.Should().Equal(-1, -1, TinyData.TokenLabels.Length);
        // The configuration is in the metadata once; the separate keys of older exports are no longer written.
        Dictionary<string, string> metadata = session.ModelMetadata.CustomMetadataMap;
        metadata.Keys.Should().NotContain(["nerclassify.task", "nerclassify.token_labels", "nerclassify.sequence_labels", "nerclassify.do_lower_case", "nerclassify.max_length", "nerclassify.stride"]);
        ModelConfig config = System.Text.Json.JsonSerializer.Deserialize<ModelConfig>(metadata["nerclassify.config"], NerClassify.IO.ModelConfigFile.SerializerOptions)!;
        config.Task.Should().Be(TaskKind.Multitask);
        config.TokenLabels.Should().Equal(TinyData.TokenLabels);
        config.SequenceLabels.Should().Equal(TinyData.Topics);
        config.LowerCase.Should().BeTrue();
        (config.MaxLength, config.Stride).Should().Be((64, 16));
    }

    [Fact]
    public void Export_TokenModel_HasOnlyTokenLogitsOfShapeBatchSequenceLabels()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(seed: 4, addPooler: true), TinyData.TokenLabels);
        string path = Path.Combine(_folder, "token.onnx");
        OnnxExporter.Export(model, path);
        Batch batch = ExportedGraph.BatchOf(model, TinyBert.Vocabulary(), Sentences);

        var onnx = ExportedGraph.OnnxRun(path, batch);
        (float[]? tokens, _) = ExportedGraph.TorchLogits(model, batch);

        onnx.Keys.Should().Equal(OnnxTensorNames.TokenLogits);
        onnx[OnnxTensorNames.TokenLogits].Shape.Should().Equal(batch.BatchSize, batch.SequenceLength, TinyData.TokenLabels.Length);
        ExportedGraph.MaxAbsDifference(tokens!, onnx[OnnxTensorNames.TokenLogits].Values).Should().BeLessThan(1e-4f);
        ExportedGraph.UnusedInitializers(ExportedGraph.Parse(path)).Should().BeEmpty("the unused pooler must not be exported");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Export_SequenceModel_HasOnlySequenceLogitsOfShapeBatchClasses(bool encoderHasPooler)
    {
        using var model = new SequenceClassificationModel(TinyBert.Encoder(seed: 5, addPooler: encoderHasPooler), TinyData.Topics);
        string path = Path.Combine(_folder, "sequence.onnx");
        OnnxExporter.Export(model, path);
        Batch batch = ExportedGraph.BatchOf(model, TinyBert.Vocabulary(), Sentences);

        var onnx = ExportedGraph.OnnxRun(path, batch);
        (_, float[]? sequences) = ExportedGraph.TorchLogits(model, batch);

        onnx.Keys.Should().Equal(OnnxTensorNames.SequenceLogits);
        onnx[OnnxTensorNames.SequenceLogits].Shape.Should().Equal(batch.BatchSize, TinyData.Topics.Length);
        ExportedGraph.MaxAbsDifference(sequences!, onnx[OnnxTensorNames.SequenceLogits].Values).Should().BeLessThan(1e-4f);
        ExportedGraph.UnusedInitializers(ExportedGraph.Parse(path)).Should().BeEmpty();
    }

    [Fact]
    public void Export_CustomTokenHead_ThrowsNotSupportedNamingTheType()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels, new ZeroHead(TinyData.TokenLabels.Length));

        Action act = () => OnnxExporter.Export(model, Path.Combine(_folder, "custom.onnx"));

        act.Should().Throw<NotSupportedException>().WithMessage("*ZeroHead*");
        File.Exists(Path.Combine(_folder, "custom.onnx")).Should().BeFalse();
    }

    [Fact]
    public void Load_DirectoryWithOnnxBackend_PredictsLikeTorchSharp()
    {
        using var trained = NerClassifier.FromModel(TinyMultitask(casingSize: 4, hiddenSize: 0), TinyBert.Vocabulary());
        trained.Save(_folder);
        trained.ExportOnnx(Path.Combine(_folder, OnnxExporter.FileName));

        using OnnxNerClassifier onnx = OnnxNerClassifier.Load(_folder);

        onnx.PredictBatch(Sentences).Select(ExportedGraph.Describe).Should().Equal(trained.PredictBatch(Sentences).Select(ExportedGraph.Describe));
        onnx.Config.MaxLength.Should().Be(trained.Config.MaxLength);
        onnx.Config.Stride.Should().Be(trained.Config.Stride);
    }

    [Fact]
    public void Load_DirectorySavedAgainAfterItsExport_ThrowsNamingBothFiles()
    {
        // Issue 31, item 7: model B saved over model A's directory left A's model.onnx, which used to load silently.
        using var first = NerClassifier.FromModel(TinyMultitask(casingSize: 0, hiddenSize: 0), TinyBert.Vocabulary());
        first.Save(_folder);
        first.ExportOnnx(Path.Combine(_folder, OnnxExporter.FileName));
        MultitaskModel otherWeights = TinyMultitask(casingSize: 0, hiddenSize: 0);
        using (no_grad())
        {
            foreach (var parameter in otherWeights.parameters())
            {
                parameter.add_(0.01);
            }
        }

        using var second = NerClassifier.FromModel(otherWeights, TinyBert.Vocabulary());
        second.Save(_folder);

        Action act = () => OnnxNerClassifier.Load(_folder);

        act.Should().Throw<InvalidDataException>().WithMessage(
            $"'{Path.Combine(_folder, OnnxExporter.FileName)}' was exported from other weights than those saved with '{Path.Combine(_folder, "config.json")}'*Export it again*");
        using NerClassifier reloaded = NerClassifier.Load(_folder);
        reloaded.PredictBatch(Sentences).Select(ExportedGraph.Describe).Should().Equal(second.PredictBatch(Sentences).Select(ExportedGraph.Describe));
    }

    [Fact]
    public void Load_DirectorySavedAgainWithTheSameWeights_LoadsItsExport()
    {
        using var trained = NerClassifier.FromModel(TinyMultitask(casingSize: 0, hiddenSize: 0), TinyBert.Vocabulary());
        trained.Save(_folder);
        trained.ExportOnnx(Path.Combine(_folder, OnnxExporter.FileName));
        trained.Save(_folder);

        using OnnxNerClassifier onnx = OnnxNerClassifier.Load(_folder);

        onnx.PredictBatch(Sentences).Select(ExportedGraph.Describe).Should().Equal(trained.PredictBatch(Sentences).Select(ExportedGraph.Describe));
    }

    [Fact]
    public void Save_RecordsTheSha256OfItsWeightsFileInConfigAndExport()
    {
        using var trained = NerClassifier.FromModel(TinyMultitask(casingSize: 0, hiddenSize: 0), TinyBert.Vocabulary());
        trained.Save(_folder);
        string onnxPath = Path.Combine(_folder, "check.onnx");
        trained.ExportOnnx(onnxPath);

        string fileSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(_folder, "model.safetensors"))));
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "config.json")))!;
        using var session = new InferenceSession(onnxPath);

        config["nerclassify"]!["weights_sha256"]!.GetValue<string>().Should().Be(fileSha256);
        session.ModelMetadata.CustomMetadataMap["nerclassify.weights_sha256"].Should().Be(fileSha256);
    }

    [Fact]
    public void Load_OnnxFileAlone_EvaluatesLikeTorchSharp()
    {
        using var torch = NerClassifier.FromModel(TinyMultitask(casingSize: 0, hiddenSize: 0), TinyBert.Vocabulary());
        string path = Path.Combine(_folder, "alone.onnx");
        torch.ExportOnnx(path);
        using var onnx = OnnxNerClassifier.Load(path);

        onnx.PredictBatch(Sentences).Select(ExportedGraph.Describe).Should().Equal(torch.PredictBatch(Sentences).Select(ExportedGraph.Describe));
        onnx.Evaluate(TinyData.Examples).Should().BeEquivalentTo(torch.Evaluate(TinyData.Examples));
    }

    [Fact]
    public void Load_OnnxBackendWithoutModelOnnx_ThrowsNamingTheFile()
    {
        using var model = TinyMultitask(casingSize: 0, hiddenSize: 0);
        ModelDirectory.Save(model, TinyBert.Vocabulary(), _folder);

        Action act = () => OnnxNerClassifier.Load(_folder);

        act.Should().Throw<FileNotFoundException>().WithMessage("*model.onnx*");
    }

    private static MultitaskModel TinyMultitask(int casingSize, int hiddenSize, bool casingInput = false)
    {
        var model = new MultitaskModel(
            TinyBert.Encoder(seed: 3),
            TinyData.TokenLabels,
            TinyData.Topics,
            tokenHeadOptions: new TokenHeadOptions { CasingEmbeddingSize = casingSize, HiddenLayerSize = hiddenSize, CasingInput = casingInput });
        if (casingInput)
        {
            // Trained casing embeddings are not zero; random ones make the parity check meaningful.
            using var noGrad = TorchSharp.torch.no_grad();
            model.get_parameter("casing_embeddings.weight")!.normal_(0, 0.5);
        }

        model.eval();
        return model;
    }

    private sealed class ZeroHead(int labels) : TokenHead("ZeroHead", labels)
    {
        public override Tensor forward(TokenHeadInput input) => zeros(input.HiddenStates.shape[0], input.HiddenStates.shape[1], LabelCount);
    }
}
