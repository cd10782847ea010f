using System.Globalization;
using System.Text;
using NerClassify.Data;

namespace NerClassify.Samples.Reproduction;

/// <summary>
/// The two fixed halves of <c>valid.txt</c> (issue 30): settings are chosen on the <c>choose</c> half and the final
/// setting is scored on the <c>report</c> half. The split is by document, so that document context never reads across
/// halves: documents in file order alternate, even positions to <c>choose</c>, odd ones to <c>report</c>. Alternation
/// spreads both halves over the whole file (its dates and desks) without a random draw that would need its own seed.
/// </summary>
internal static class ValidHalves
{
    public const string Choose = "choose";

    public const string Report = "report";

    /// <summary>The half a document of <c>valid.txt</c> belongs to, by its index in the file.</summary>
    public static string Of(int documentIndex) => documentIndex % 2 == 0 ? Choose : Report;

    /// <summary>
    /// The list of documents with their half, sentence indices and topic rows, as committed in
    /// docs/results/valid-halves.tsv.
    /// </summary>
    public static string Describe(IReadOnlyList<ConllSentence> sentences, IReadOnlyDictionary<int, string> topicOf)
    {
        var text = new StringBuilder("document\thalf\tfirst_sentence\tsentences\ttopic_rows\n");
        foreach (IGrouping<int, ConllSentence> document in sentences.GroupBy(s => s.DocumentIndex).OrderBy(g => g.Key))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{document.Key}\t{Of(document.Key)}\t{document.First().Index}\t{document.Count()}\t{document.Count(s => topicOf.ContainsKey(s.Index))}");
        }

        return text.ToString();
    }
}
