using System.Reflection;
using System.Text.RegularExpressions;
using FluentAssertions;
using NerClassify.Labelling;
using NerClassify.OnnxRuntime;
using NerClassify.Pretrained;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Documentation;

/// <summary>The public surface stays within its per-namespace budgets, and every public type is named where a user reads about it.</summary>
public sealed class PublicSurfaceTests
{
    internal static readonly Assembly[] Libraries =
    [
        typeof(NerClassifier).Assembly,
        typeof(ModelConfig).Assembly,
        typeof(OnnxNerClassifier).Assembly,
        typeof(SentenceLabeller).Assembly,
        typeof(PretrainedEncoders).Assembly,
        typeof(NerClassify.DependencyInjection.NerClassifyOptions).Assembly,
    ];

    /// <summary>
    /// How many public types each namespace may have, and why it needs them (docs/architecture.md, "Public surface").
    /// A namespace not listed may have none. Raising a budget is a decision: change it here with the reason.
    /// </summary>
    private static readonly Dictionary<string, (int Budget, string Reason)> Budgets = new()
    {
        ["NerClassify"] = (6, "the job level (package NerClassify): NerClassifier, PretrainedEncoder, ModelOptions, TrainerOptions, TrainingFiles, TrainingHistory; the tensor-free types they take and return are in NerClassify.Configuration and NerClassify.Inference (package NerClassify.Core)"),
        ["NerClassify.Configuration"] = (9, "the typed model configuration both backends read: ModelConfig and its parts (task and what follows from it, token head, sentence pooling, loss weighting), compute settings"),
        ["NerClassify.Encoders"] = (3, "the encoder abstraction (IEncoder, EncoderOutput) and the encoder load options"),
        ["NerClassify.Encoders.Bert"] = (2, "BertConfig and BertEncoder; the HF submodules stay internal"),
        ["NerClassify.Heads"] = (8, "two derivable head bases with their inputs, the library's two heads, the registry and its context"),
        ["NerClassify.Models"] = (7, "the task-model base and three task models, their inputs, outputs and loss"),
        ["NerClassify.Training"] = (7, "Trainer, its data, epoch results, progress and its phase, self-training, schedule"),
        ["NerClassify.Data"] = (11, "CoNLL and sentence-label files, label sets, training examples and their loaders"),
        ["NerClassify.Tokenization"] = (2, "BertVocabulary and its VocabularyKind (WordPiece, byte-level BPE, SentencePiece), which encoders, checkpoints and both backends share; the tokenizers and windows stay internal"),
        ["NerClassify.Metrics"] = (8, "the metric calculators (entities, classes) and their reports"),
        ["NerClassify.Inference"] = (11, "what every backend hands out: the predictor interface and its options (with the CPU kernel mode), predictions, entity spans, sentence classes, evaluation results and the metric that selects by them, document context"),
        ["NerClassify.Export"] = (1, "Triton export options"),
        ["NerClassify.Hub"] = (5, "Hugging Face downloads: options, progress, errors"),
        ["NerClassify.Native"] = (1, "the libstdc++ compatibility report"),
        ["NerClassify.DependencyInjection"] = (3, "package NerClassify.DependencyInjection: the registration options, the health check and the registration both backends' AddXxx methods share"),
        ["Microsoft.Extensions.DependencyInjection"] = (2, "AddNerClassify, where Microsoft.Extensions puts extension methods"),
        ["NerClassify.OnnxRuntime"] = (1, "OnnxNerClassifier"),
        ["NerClassify.Pretrained"] = (1, "PretrainedEncoders"),
        ["NerClassify.Labelling"] = (10, "sentence labelling with an IChatClient: labeller, options, cache, prompts, results"),
    };

    [Fact]
    public void EachNamespace_StaysWithinItsBudget()
    {
        Dictionary<string, int> counts = Libraries.SelectMany(a => a.GetExportedTypes())
            .GroupBy(t => t.Namespace ?? string.Empty)
            .ToDictionary(g => g.Key, g => g.Count());

        string[] over = counts
            .Where(c => c.Value > (Budgets.TryGetValue(c.Key, out var b) ? b.Budget : 0))
            .Select(c => $"{c.Key}: {c.Value} public types, budget {(Budgets.TryGetValue(c.Key, out var b) ? b.Budget : 0)}")
            .ToArray();

        over.Should().BeEmpty("each namespace's public types are budgeted, with the reason, in this test and docs/architecture.md");
    }

    [Fact]
    public void EveryPublicType_IsNamedInTheDocsOrASample()
    {
        string root = TestPaths.RepositoryRoot!;
        string text = string.Join('\n', new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md"))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "samples"), "*.cs", SearchOption.AllDirectories))
            .Select(File.ReadAllText));

        string[] unnamed = Libraries.SelectMany(a => a.GetExportedTypes())
            .Select(t => t.Name.Split('`')[0])
            .Where(name => !Regex.IsMatch(text, $@"\b{Regex.Escape(name)}\b"))
            .ToArray();

        unnamed.Should().BeEmpty("a public type no doc or sample names is plumbing");
    }
}
