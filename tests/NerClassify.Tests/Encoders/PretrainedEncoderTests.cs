using FluentAssertions;
using NerClassify.Checkpoints;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Tests.TestSupport;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NerClassify.Tests.Encoders;

[Collection(TorchCollection.Name)]
public sealed class PretrainedEncoderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nerclassify-encoder-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_SavedEncoder_KeepsEmbeddingWeightsInStateDictAndParameters()
    {
        using var original = new PretrainedEncoder(TinyBert.Encoder(seed: 7), TinyBert.Vocabulary());
        original.Save(_folder);

        using PretrainedEncoder loaded = PretrainedEncoder.Load(_folder);

        string[] embeddings = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight"];
        loaded.Encoder.state_dict().Keys.Should().Contain(embeddings);
        loaded.Encoder.named_parameters().Select(p => p.name).Should().Contain(embeddings);
    }

    [Fact]
    public void Save_ThenLoad_GivesBitIdenticalOutputs()
    {
        using var original = new PretrainedEncoder(TinyBert.Encoder(seed: 7), TinyBert.Vocabulary());
        original.Save(_folder);

        using PretrainedEncoder loaded = PretrainedEncoder.Load(_folder);

        loaded.LoadReport!.IsExact.Should().BeTrue();
        loaded.Vocabulary.Tokens.Should().Equal(original.Vocabulary.Tokens);
        loaded.Vocabulary.LowerCase.Should().BeTrue();
        Forward(loaded.Encoder).Should().Equal(Forward(original.Encoder));
    }

    [Fact]
    public void Load_TaskCheckpointWithBertPrefixAndLegacyNames_LoadsTheEncoder()
    {
        using var original = new PretrainedEncoder(TinyBert.Encoder(seed: 3), TinyBert.Vocabulary());
        original.Save(_folder);
        RewriteWeights(state => state.ToDictionary(
            p => "bert." + p.Key.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta"),
            p => p.Value)
            .Append(new KeyValuePair<string, Tensor>("cls.predictions.bias", zeros(99)))
            .ToDictionary());

        using PretrainedEncoder loaded = PretrainedEncoder.Load(_folder);

        loaded.LoadReport!.IsExact.Should().BeTrue();
        Forward(loaded.Encoder).Should().Equal(Forward(original.Encoder));
    }

    [Fact]
    public void Load_WrongShape_ThrowsNamingKeyBothShapesAndFile()
    {
        new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary()).Save(_folder);
        RewriteWeights(state =>
        {
            state["encoder.layer.1.intermediate.dense.weight"] = zeros(36, 32);
            return state;
        });

        Action act = () => PretrainedEncoder.Load(_folder);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*model.safetensors*encoder.layer.1.intermediate.dense.weight*[36, 32]*[37, 32]*");
    }

    [Fact]
    public void Load_MissingKey_ThrowsNamingTheKey()
    {
        new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary()).Save(_folder);
        RewriteWeights(state =>
        {
            state.Remove("encoder.layer.0.attention.self.key.bias");
            return state;
        });

        Action act = () => PretrainedEncoder.Load(_folder);

        act.Should().Throw<InvalidDataException>().WithMessage("*model.safetensors*encoder.layer.0.attention.self.key.bias*");
    }

    [Fact]
    public void Load_MissingKeyNotStrict_ReportsItAsMissing()
    {
        new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary()).Save(_folder);
        RewriteWeights(state =>
        {
            state.Remove("encoder.layer.0.attention.self.key.bias");
            state["unrelated.weight"] = zeros(2);
            return state;
        });

        using PretrainedEncoder loaded = PretrainedEncoder.Load(_folder, new EncoderLoadOptions { Strict = false });

        loaded.LoadReport!.MissingKeys.Should().Equal("encoder.layer.0.attention.self.key.bias");
        loaded.LoadReport.UnexpectedKeys.Should().Equal("unrelated.weight");
    }

    [Fact]
    public void Load_TruncatedSafetensors_ThrowsSayingTruncatedAndNamingFile()
    {
        new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary()).Save(_folder);
        string weights = Path.Combine(_folder, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);

        Action act = () => PretrainedEncoder.Load(_folder);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{weights}*truncated*");
    }

    [Fact]
    public void Load_PyTorchBinCheckpoint_LoadsTheSameWeights()
    {
        using var original = new PretrainedEncoder(TinyBert.Encoder(seed: 5), TinyBert.Vocabulary());
        original.Save(_folder);
        File.Delete(Path.Combine(_folder, CheckpointFiles.SafetensorsFile));
        original.Encoder.save_py(Path.Combine(_folder, CheckpointFiles.PyTorchFile));

        using PretrainedEncoder loaded = PretrainedEncoder.Load(_folder);

        Forward(loaded.Encoder).Should().Equal(Forward(original.Encoder));
    }

    [Fact]
    public void Load_NoWeights_ThrowsNamingBothFileNames()
    {
        new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary()).Save(_folder);
        File.Delete(Path.Combine(_folder, "model.safetensors"));

        Action act = () => PretrainedEncoder.Load(_folder);

        act.Should().Throw<FileNotFoundException>().WithMessage("*model.safetensors*pytorch_model.bin*");
    }

    [Theory]
    [InlineData("empty", "*vocab.txt' is empty*")]
    [InlineData("binary", "*vocab.txt' is not UTF-8 text*binary*")]
    [InlineData("nul", "*vocab.txt' line 2 holds a NUL character*")]
    [InlineData("no-specials", "*vocab.txt' lacks the special tokens [PAD], [UNK], [CLS], [SEP]*")]
    public void Load_BadVocabulary_ThrowsNamingTheFile(string kind, string message)
    {
        new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary()).Save(_folder);
        string vocab = Path.Combine(_folder, "vocab.txt");
        switch (kind)
        {
            case "empty":
                File.WriteAllText(vocab, "\n\n");
                break;
            case "binary":
                File.WriteAllBytes(vocab, [0x50, 0x4B, 0x03, 0x04, 0xFF, 0xFE, 0x80, 0x81, 0x0A]);
                break;
            case "nul":
                File.WriteAllText(vocab, "[PAD]\nab\0cd\n");
                break;
            default:
                File.WriteAllText(vocab, "the\nof\nand\n");
                break;
        }

        Action act = () => PretrainedEncoder.Load(_folder);

        act.Should().Throw<InvalidDataException>().WithMessage(message).And.Message.Should().Contain(vocab);
    }

    [Fact]
    public void Load_VocabularyLongerThanVocabSize_ThrowsNamingBothFiles()
    {
        new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary()).Save(_folder);
        string vocab = Path.Combine(_folder, "vocab.txt");
        File.AppendAllLines(vocab, Enumerable.Range(0, 5).Select(i => $"extra{i}"));

        Action act = () => PretrainedEncoder.Load(_folder);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"'{vocab}' has 104 tokens but '{Path.Combine(_folder, "config.json")}' says vocab_size 99*");
    }

    [Fact]
    public void FromOnnx_WithName_NamesItInErrors()
    {
        using var emptyVocabulary = new MemoryStream();
        using var vocabulary = TinyBert.Vocabulary().OpenRead();
        using var notOnnx = new MemoryStream([1, 2, 3, 4]);

        Action badVocabulary = () => PretrainedEncoder.FromOnnx(new MemoryStream(), emptyVocabulary, name: "models/tiny");
        Action badGraph = () => PretrainedEncoder.FromOnnx(notOnnx, vocabulary, name: "models/tiny/model.onnx");

        badVocabulary.Should().Throw<InvalidDataException>().WithMessage("The vocabulary of 'models/tiny' is empty*");
        badGraph.Should().Throw<InvalidDataException>().WithMessage("'models/tiny/model.onnx': *");
    }

    [Fact]
    public void Load_MissingVocabulary_ThrowsNamingVocabTxt()
    {
        new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary()).Save(_folder);
        File.Delete(Path.Combine(_folder, "vocab.txt"));

        Action act = () => PretrainedEncoder.Load(_folder);

        act.Should().Throw<FileNotFoundException>().WithMessage("*vocab.txt*");
    }

    [Theory]
    [InlineData("\"hidden_act\": \"relu\"", "*hidden_act 'relu'*")]
    [InlineData("\"position_embedding_type\": \"relative_key\"", "*relative_key*absolute*")]
    [InlineData("\"num_attention_heads\": 5", "*multiple of num_attention_heads*")]
    public void LoadConfig_UnsupportedSetting_ThrowsClearMessage(string setting, string message)
    {
        string path = Path.Combine(_folder, "config.json");
        File.WriteAllText(path, $"{{ \"hidden_size\": 32, \"num_attention_heads\": 4, {setting} }}");

        Action act = () => BertConfig.Load(path);

        act.Should().Throw<InvalidDataException>().WithMessage(message).WithMessage($"*{path}*");
    }

    [Fact]
    public void Save_FailsMidway_LeavesPreviousDirectoryLoadable()
    {
        using var first = new PretrainedEncoder(TinyBert.Encoder(seed: 11), TinyBert.Vocabulary());
        first.Save(_folder);
        float[] expected = Forward(first.Encoder);

        Action failing = () => NerClassify.IO.AtomicDirectory.Replace(_folder, staging =>
        {
            File.WriteAllText(Path.Combine(staging, "config.json"), "{");
            throw new IOException("simulated crash");
        });

        failing.Should().Throw<IOException>();
        using PretrainedEncoder loaded = PretrainedEncoder.Load(_folder);
        Forward(loaded.Encoder).Should().Equal(expected);
    }

    private static float[] Forward(BertEncoder encoder)
    {
        encoder.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor ids = tensor(new long[] { 2, 20, 21, 30, 3, 0, 2, 40, 3, 0, 0, 0 }).reshape(2, 6);
        Tensor mask = ids.ne(0).to_type(ScalarType.Int64);
        return encoder.Encode(ids, mask).LastHiddenState.data<float>().ToArray();
    }

    private void RewriteWeights(Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>> change)
    {
        string path = Path.Combine(_folder, "model.safetensors");
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state = Safetensors.LoadStateDict(path);
        Dictionary<string, Tensor> changed = change(state);

        // PyBridge does not truncate an existing file, and a longer leftover tail is refused as data no tensor covers.
        File.Delete(path);
        Safetensors.SaveStateDict(path, changed);
    }
}
