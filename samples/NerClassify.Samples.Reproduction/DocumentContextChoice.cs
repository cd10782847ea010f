using System.Globalization;
using System.Text;
using System.Text.Json;
using NerClassify.Data;
using NerClassify.Inference;
using NerClassify.Metrics;

namespace NerClassify.Samples.Reproduction;

/// <summary>
/// Re-decides <see cref="DocumentContext"/>'s settings on the choose half of <c>valid.txt</c> (issue 30, item 3), from
/// a saved model: every validation sentence is predicted once, then each candidate setting revises the predictions and
/// is scored on the choose half only. Entities and topics are decided apart, since the entity vote
/// (<see cref="DocumentContextOptions.UnifyEntityTypes"/>) never touches a class and the class prior never touches a
/// tag. The report half is scored once, for the setting chosen, beside the sentence-alone baseline.
/// </summary>
internal static class DocumentContextChoice
{
    private static readonly double[] Weights = [0, 1, 1.5, 2, 2.5, 3];

    private static readonly double[] Floors = [0.01, 0.05, 0.1];

    public static void Run(string modelDirectory, Corpus corpus, string outputDirectory)
    {
        using NerClassifier classifier = NerClassifier.Load(modelDirectory);
        IReadOnlyList<ConllSentence> sentences = corpus.ValidSentences;
        IReadOnlyList<Prediction> alone = classifier.PredictBatch(sentences.Select(s => s.Words).ToArray());
        int[] documents = sentences.Select(s => s.DocumentIndex).ToArray();
        int[] choose = Half(ValidHalves.Choose), report = Half(ValidHalves.Report);

        var topicGrid = new List<object>();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Document context on the choose half ({choose.Length} sentences) of valid.txt, model {modelDirectory}");
        text.AppendLine("Topic F1 by class prior (rows: floor; columns: weight; weight 0 = sentence alone):");
        text.AppendLine("floor  " + string.Join("  ", Weights.Select(w => w.ToString("0.0", CultureInfo.InvariantCulture).PadLeft(6))));
        (double Weight, double Floor, double F1) bestTopics = (0, Floors[0], double.MinValue);
        foreach (double floor in Floors)
        {
            var row = new StringBuilder(floor.ToString("0.00", CultureInfo.InvariantCulture).PadRight(5));
            foreach (double weight in Weights)
            {
                var options = new DocumentContextOptions { ClassPriorWeight = weight, ClassPriorFloor = floor, UnifyEntityTypes = false };
                double f1 = TopicF1(DocumentContext.ApplyByDocument(alone, documents, options), choose);
                topicGrid.Add(new { weight, floor, choose = f1 });
                row.Append(CultureInfo.InvariantCulture, $"  {f1,6:F2}");
                if (f1 > bestTopics.F1 + 1e-9)
                {
                    bestTopics = (weight, floor, f1);
                }
            }

            text.AppendLine(row.ToString());
        }

        var off = new DocumentContextOptions { ClassPriorWeight = 0, UnifyEntityTypes = false };
        var on = off with { UnifyEntityTypes = true };
        double entitiesOff = EntityF1(DocumentContext.ApplyByDocument(alone, documents, off), choose);
        double entitiesOn = EntityF1(DocumentContext.ApplyByDocument(alone, documents, on), choose);
        bool unify = entitiesOn > entitiesOff;
        text.AppendLine(CultureInfo.InvariantCulture, $"Entity F1 without the entity vote {entitiesOff:F2}, with it {entitiesOn:F2}: {(unify ? "keep" : "drop")} the vote.");

        // The report half, once: the sentence-alone baseline and the setting chosen above.
        var chosen = new DocumentContextOptions { ClassPriorWeight = bestTopics.Weight, ClassPriorFloor = bestTopics.Floor, UnifyEntityTypes = unify };
        IReadOnlyList<Prediction> revised = DocumentContext.ApplyByDocument(alone, documents, chosen);
        var reportScores = new
        {
            entityF1Alone = EntityF1(alone, report),
            topicF1Alone = TopicF1(alone, report),
            entityF1Chosen = EntityF1(revised, report),
            topicF1Chosen = TopicF1(revised, report),
        };
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Chosen: class prior weight {chosen.ClassPriorWeight}, floor {chosen.ClassPriorFloor}, entity vote {(unify ? "on" : "off")}. " +
            $"Report half ({report.Length} sentences): entity F1 {reportScores.entityF1Alone:F2} -> {reportScores.entityF1Chosen:F2}, topic F1 {reportScores.topicF1Alone:F2} -> {reportScores.topicF1Chosen:F2} (sentence alone -> chosen setting).");
        Console.Write(text);
        Directory.CreateDirectory(outputDirectory);
        File.WriteAllText(Path.Combine(outputDirectory, "document-context-choice.txt"), text.ToString());
        File.WriteAllText(
            Path.Combine(outputDirectory, "document-context-choice.json"),
            JsonSerializer.Serialize(
                new { model = modelDirectory, topicGrid, entityF1Choose = new { off = entitiesOff, on = entitiesOn }, chosen, report = reportScores },
                new JsonSerializerOptions { WriteIndented = true }));

        int[] Half(string half) => Enumerable.Range(0, sentences.Count).Where(i => ValidHalves.Of(sentences[i].DocumentIndex) == half).ToArray();

        double EntityF1(IReadOnlyList<Prediction> predicted, int[] part) =>
            EntityMetrics.Compute(part.Select(i => sentences[i].Tags).ToArray(), part.Select(i => predicted[i].Tags).ToArray()).F1 * 100;

        double TopicF1(IReadOnlyList<Prediction> predicted, int[] part)
        {
            int[] labelled = part.Where(i => corpus.ValidTopics.ContainsKey(sentences[i].Index)).ToArray();
            return ClassificationMetrics.Compute(
                labelled.Select(i => corpus.ValidTopics[sentences[i].Index]).ToArray(),
                labelled.Select(i => predicted[i].Sentence!.Label).ToArray(),
                classifier.Config.SequenceLabels!).WeightedF1 * 100;
        }
    }
}
