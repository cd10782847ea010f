using FluentAssertions;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Checkpoints;

/// <summary>A hostile config.json is refused before the model is allocated (issue 17, item 13).</summary>
[Collection(TorchCollection.Name)]
public sealed class ModelSizeGuardTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("num_hidden_layers", 1_000_000)]
    [InlineData("vocab_size", 50_000_000)]
    [InlineData("hidden_size", 1_000_000_000)]
    [InlineData("max_position_embeddings", 100_000_000)]
    [InlineData("num_hidden_layers", 0)]
    [InlineData("intermediate_size", -5)]
    public void Load_ConfigFieldOutOfRange_IsRefusedNamingFileAndKey(string key, int value)
    {
        SaveTinyModel();
        string config = SetConfig(key, value);

        Action act = () => PretrainedEncoder.Load(_folder.Path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{config}*{key} ({value})*");
    }

    [Fact]
    public void Load_ConfigLargerThanTheWeightsFile_IsRefusedNamingBothFiles()
    {
        SaveTinyModel();

        // BERT-base's shape, 86 M parameters, against a weights file of a few hundred kilobytes.
        string config = SetConfig("hidden_size", 768, ("num_attention_heads", 12), ("intermediate_size", 3072), ("num_hidden_layers", 12));

        Action act = () => PretrainedEncoder.Load(_folder.Path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"*{_folder.File("model.safetensors")}*{config}*parameters*fp16*num_hidden_layers 12*");
    }

    [Fact]
    public void Load_ModelAboveMaxParameters_IsRefusedNamingTheOption()
    {
        SaveTinyModel();

        Action act = () => PretrainedEncoder.Load(_folder.Path, new EncoderLoadOptions { MaxParameters = 10_000 });

        act.Should().Throw<InvalidDataException>().WithMessage($"*{_folder.File("config.json")}*MaxParameters*vocab_size 99*");
    }

    [Fact]
    public void Load_TinyModelWithinTheLimits_Loads()
    {
        SaveTinyModel();

        using PretrainedEncoder loaded = PretrainedEncoder.Load(_folder.Path, new EncoderLoadOptions { MaxParameters = 100_000 });

        loaded.Encoder.Config.NumHiddenLayers.Should().Be(2);
    }

    [Fact]
    public void CountParameters_TinyBert_EqualsTheBuiltModelWithoutPooler()
    {
        using BertEncoder encoder = TinyBert.Encoder(addPooler: false);

        long built = encoder.parameters().Sum(p => p.NumberOfElements);

        ((long)TinyBert.Config.CountParameters()).Should().Be(built);
    }

    [Fact]
    public void Validate_MaxParametersNotPositive_Throws()
    {
        Action act = () => new EncoderLoadOptions { MaxParameters = 0 }.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("MaxParameters");
    }

    private void SaveTinyModel()
    {
        using var encoder = new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary());
        encoder.Save(_folder.Path);
    }

    private string SetConfig(string key, int value, params (string Key, int Value)[] more)
    {
        string path = _folder.File("config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json[key] = value;
        foreach ((string k, int v) in more)
        {
            json[k] = v;
        }

        File.WriteAllText(path, json.ToJsonString());
        return path;
    }
}
