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
    private static readonly Assembly[] Libraries =
    [
        typeof(NerClassifier).Assembly,
        typeof(ModelConfig).Assembly,
        typeof(OnnxNerClassifier).Assembly,
        typeof(SentenceLabeller).Assembly,
        typeof(PretrainedEncoders).Assembly,
    ];

    /// <summary>
    /// How many public types each namespace may have, and why it needs them (docs/architecture.md, "Public surface").
    /// A namespace not listed may have none. Raising a budget is a decision: change it here with the reason.
    /// </summary>
    private static readonly Dictionary<string, (int Budget, string Reason)> Budgets = new()
    {
        ["NerClassify"] = (15, "the job level, so a program needs few usings: NerClassifier, PretrainedEncoder, ModelOptions, TrainerOptions, TrainingFiles, TrainingExample, TrainingHistory, TokenHeadOptions, ModelConfig, TaskKind, Prediction, EntitySpan, EvaluationResult, compute settings"),
        ["NerClassify.Encoders"] = (5, "the encoder abstraction (IEncoder, EncoderOutput), the encoder load options, the vocabulary and its kind (WordPiece, byte-level BPE, SentencePiece)"),
        ["NerClassify.Encoders.Bert"] = (2, "BertConfig and BertEncoder; the HF submodules stay internal"),
        ["NerClassify.Heads"] = (9, "two derivable head bases with their inputs, the library's two heads, pooling, the registry and its context"),
        ["NerClassify.Models"] = (11, "the task-model base and three task models, their inputs, outputs and loss, what follows from a task, loss weighting"),
        ["NerClassify.Training"] = (9, "Trainer, its data, history, epoch results, progress, self-training, schedule, selection metric"),
        ["NerClassify.Data"] = (11, "CoNLL and sentence-label files, label sets, training data loaders"),
        ["NerClassify.Metrics"] = (8, "the metric calculators (entities, classes) and their reports"),
        ["NerClassify.Inference"] = (7, "the predictor interface and its options, sentence classes, document context"),
        ["NerClassify.Export"] = (1, "Triton export options"),
        ["NerClassify.Hub"] = (5, "Hugging Face downloads: options, progress, errors"),
        ["NerClassify.Native"] = (1, "the libstdc++ compatibility report"),
        ["NerClassify.DependencyInjection"] = (3, "the registration options"),
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
