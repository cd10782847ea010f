using System.Text.RegularExpressions;
using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Training;

namespace NerClassify.Service.Tests.Page;

/// <summary>
/// A predictor for the page tests whose answers are known in advance: it tags the names of a fixed list wherever they
/// occur (as whole words) and scores sentence classes by keyword counts. It stands in for a trained model behind the
/// service's <see cref="Samples.Service.ModelLoader"/>, so the browser tests can assert exact types and spans; the
/// service's request handling, JSON and the page are the real ones.
/// </summary>
internal sealed partial class GazetteerPredictor : INerPredictor
{
    public static readonly (string Name, string Type, float Score)[] Names =
    [
        ("Kofi Mensah", "PER", 0.981f),
        ("Amara Okafor", "PER", 0.954f),
        ("Hanoi", "LOC", 0.967f),
        ("Lisbon", "LOC", 0.942f),
        ("Acme Corp", "ORG", 0.912f),
        ("World Cup", "MISC", 0.873f),
    ];

    private static readonly (string Label, string[] Keywords)[] Classes =
    [
        ("World", ["officials", "minister", "talks"]),
        ("Sport", ["match", "goal", "cup"]),
        ("Business", ["shares", "market", "profit"]),
    ];

    public ModelConfig Config { get; } = new()
    {
        Task = TaskKind.Multitask,
        TokenLabels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"],
        SequenceLabels = Classes.Select(c => c.Label).ToArray(),
    };

    public Prediction Predict(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Match[] words = Word().Matches(text).ToArray();
        string[] tags = Enumerable.Repeat("O", words.Length).ToArray();
        var entities = new List<EntitySpan>();
        foreach ((string name, string type, float score) in Names)
        {
            foreach (Match found in Regex.Matches(text, $@"(?<!\w){Regex.Escape(name)}(?!\w)"))
            {
                int first = Array.FindIndex(words, w => w.Index == found.Index);
                int last = Array.FindIndex(words, w => w.Index + w.Length == found.Index + found.Length);
                for (int w = first; w <= last; w++)
                {
                    tags[w] = (w == first ? "B-" : "I-") + type;
                }

                entities.Add(new EntitySpan(type, found.Value, found.Index, found.Index + found.Length, first, last, score));
            }
        }

        // Keyword counts plus one, normalised: a deterministic distribution over the classes.
        double[] weights = Classes.Select(c => 1.0 + c.Keywords.Sum(k => Regex.Matches(text, $@"\b{k}\b", RegexOptions.IgnoreCase).Count)).ToArray();
        double total = weights.Sum();
        var probabilities = Classes.Select((c, k) => KeyValuePair.Create(c.Label, (float)(weights[k] / total))).ToDictionary();
        int best = Array.IndexOf(weights, weights.Max());
        return new Prediction(
            text,
            words.Select(w => w.Value).ToArray(),
            tags,
            entities.OrderBy(e => e.Start).ToArray(),
            new SentenceClassification(Classes[best].Label, probabilities[Classes[best].Label], probabilities));
    }

    public Task<Prediction> PredictAsync(string text, CancellationToken cancellationToken = default) => Task.FromResult(Predict(text));

    public Prediction Predict(IReadOnlyList<string> words) => Predict(string.Join(' ', words));

    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) => texts.Select(Predict).ToArray();

    public Task<IReadOnlyList<Prediction>> PredictBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        Task.FromResult(PredictBatch(texts, cancellationToken));

    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<IReadOnlyList<string>> sentences, CancellationToken cancellationToken = default) => sentences.Select(Predict).ToArray();

    public EvaluationResult Evaluate(IReadOnlyList<TrainingExample> examples, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The page tests' predictor only predicts.");

    public Task<EvaluationResult> EvaluateAsync(string dataPath, string? labelsPath = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The page tests' predictor only predicts.");

    public void Dispose()
    {
    }

    [GeneratedRegex(@"\w+|[^\w\s]")]
    private static partial Regex Word();
}
