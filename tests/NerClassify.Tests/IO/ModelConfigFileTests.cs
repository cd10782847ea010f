using System.Text.Json.Nodes;
using FluentAssertions;
using NerClassify.IO;

namespace NerClassify.Tests.IO;

public sealed class ModelConfigFileTests
{
    [Fact]
    public void Read_SectionWrittenBeforeTheTypedConfig_LoadsWithItsValues()
    {
        // The section as version 0.1 wrote it: enum names in PascalCase, dropout null, no trained_on.
        var root = JsonNode.Parse("""
            {
              "architectures": ["BertForMultitaskClassification"], "max_position_embeddings": 512,
              "id2label": { "0": "O", "1": "B-PER", "2": "I-PER" },
              "nerclassify": {
                "library_version": "0.1.0", "task": "multitask", "do_lower_case": true, "max_length": 256, "stride": 64,
                "encoder_has_pooler": true, "token_labels": ["O", "B-PER", "I-PER"], "sequence_labels": ["World", "Sport"],
                "token_head": { "hidden_layer_size": 0, "casing_embedding_size": 16, "casing_input": true, "dropout": null },
                "loss": { "weighting": "Uncertainty", "sequence_weight": 1, "token_weight": 7 }
              }
            }
            """)!.AsObject();

        ModelConfig config = ModelConfigFile.Read(root, "config.json", lowerCase: false);

        config.Task.Should().Be(TaskKind.Multitask);
        config.SequenceLabels.Should().Equal("World", "Sport");
        config.MaxLength.Should().Be(256);
        config.LowerCase.Should().BeTrue();
        config.TokenHead.CasingEmbeddingSize.Should().Be(16);
        config.Loss.Weighting.Should().Be(LossWeighting.Uncertainty);
    }

    [Fact]
    public void Read_HuggingFaceTokenClassificationConfig_TakesTaskAndLabelsFromIt()
    {
        var root = JsonNode.Parse("""
            { "architectures": ["BertForTokenClassification"], "max_position_embeddings": 128, "id2label": { "1": "B-LOC", "0": "O" } }
            """)!.AsObject();

        ModelConfig config = ModelConfigFile.Read(root, "config.json", lowerCase: true);

        config.Task.Should().Be(TaskKind.Token);
        config.TokenLabels.Should().Equal("O", "B-LOC");
        config.MaxLength.Should().Be(128);
        config.EncoderHasPooler.Should().BeFalse();
    }

    private static JsonObject Saved(string id2label, string label2id) => JsonNode.Parse($$"""
        {
          "architectures": ["BertForTokenClassification"], "max_position_embeddings": 512,
          "id2label": {{id2label}}, "label2id": {{label2id}},
          "nerclassify": { "task": "token", "token_labels": ["O", "B-PER", "I-PER"] }
        }
        """)!.AsObject();

    [Fact]
    public void Read_EditedId2LabelDisagreeingWithSection_ThrowsNamingBothKeys()
    {
        // A user renames a label in id2label only (issue 31, item 10): it used to be ignored without a word.
        JsonObject root = Saved("""{ "0": "O", "1": "B-PERSON", "2": "I-PERSON" }""", """{ "O": 0, "B-PER": 1, "I-PER": 2 }""");

        Action act = () => ModelConfigFile.Read(root, "model/config.json", lowerCase: false);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("'model/config.json': id2label [O, B-PERSON, I-PERSON] disagrees with nerclassify.token_labels [O, B-PER, I-PER]*");
    }

    [Fact]
    public void Read_EditedLabel2IdDisagreeingWithSection_ThrowsNamingBothKeys()
    {
        JsonObject root = Saved("""{ "0": "O", "1": "B-PER", "2": "I-PER" }""", """{ "O": 0, "B-PER": 2, "I-PER": 1 }""");

        Action act = () => ModelConfigFile.Read(root, "model/config.json", lowerCase: false);

        act.Should().Throw<InvalidDataException>().WithMessage("'model/config.json': label2id *disagrees with nerclassify.token_labels [O, B-PER, I-PER]*");
    }

    [Fact]
    public void Read_LabelMapsAgreeingWithSection_Loads()
    {
        JsonObject root = Saved("""{ "2": "I-PER", "0": "O", "1": "B-PER" }""", """{ "I-PER": 2, "O": 0, "B-PER": 1 }""");

        ModelConfigFile.Read(root, "model/config.json", lowerCase: false).TokenLabels.Should().Equal("O", "B-PER", "I-PER");
    }
}
