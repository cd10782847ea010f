using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FluentAssertions;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Inference;

[Collection(TorchCollection.Name)]
public sealed class MicroBatchingPredictTests
{
    private static readonly string[] Texts =
    [
        "John Smith visited Paris today.",
        "Mary won the match in London.",
        "Google shares on the market.",
        "  The United Nations met in Berlin (Germany).  ",
        "Microsoft stock was new today!",
        "The team won the game in New York.",
        "Reuters",
    ];

    [Theory]
    [InlineData(PredictorBackend.TorchSharp)]
    [InlineData(PredictorBackend.OnnxRuntime)]
    public async Task PredictAsync_MicroBatching64ConcurrentCallers_EachGetsItsDirectPrediction(PredictorBackend backend)
    {
        using INerPredictor direct = Classifier(backend, new MicroBatchingOptions());
        using INerPredictor batched = Classifier(backend, new MicroBatchingOptions { Enabled = true, MaxBatchSize = 8, MaxWait = TimeSpan.FromMilliseconds(5) });
        Prediction[] expected = Texts.Select(direct.Predict).ToArray();

        Prediction[] actual = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => batched.PredictAsync(Texts[i % Texts.Length]))));

        for (int i = 0; i < actual.Length; i++)
        {
            Prediction want = expected[i % Texts.Length];
            actual[i].Text.Should().BeSameAs(Texts[i % Texts.Length]);
            Describe(actual[i]).Should().Be(Describe(want));
            actual[i].Sentence!.Probability.Should().BeApproximately(want.Sentence!.Probability, 1e-4f);
        }
    }

    [Theory]
    [InlineData(PredictorBackend.TorchSharp)]
    [InlineData(PredictorBackend.OnnxRuntime)]
    public async Task PredictBatchAsync_SmallTokenBudgetAndConcurrentCallers_EachTextGetsItsDirectPrediction(PredictorBackend backend)
    {
        using INerPredictor direct = Classifier(backend, new MicroBatchingOptions());
        using INerPredictor batched = Classifier(backend, new MicroBatchingOptions { Enabled = true, MaxBatchSize = 8, MaxBatchTokens = 40, MaxWait = TimeSpan.FromMilliseconds(5) });
        string longText = string.Join(" ", Enumerable.Repeat(Texts[0], 12));
        string[][] requests = Enumerable.Range(0, 8).Select(i => i % 2 == 0 ? Texts : new[] { longText, Texts[i % Texts.Length] }).ToArray();

        IReadOnlyList<Prediction>[] actual = await Task.WhenAll(requests.Select(r => Task.Run(() => batched.PredictBatchAsync(r))));

        for (int i = 0; i < requests.Length; i++)
        {
            actual[i].Select(p => p.Text).Should().Equal(requests[i]);
            actual[i].Select(Describe).Should().Equal(requests[i].Select(t => Describe(direct.Predict(t))));
        }
    }

    [Fact]
    public async Task PredictAsync_MicroBatching_RecordsCoalescedBatchSizesOnTheMeter()
    {
        var sizes = new ConcurrentBag<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == InferenceMetrics.MeterName && instrument.Name == "nerclassify.batch.size")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, size, _, _) => sizes.Add(size));
        listener.Start();
        using INerPredictor batched = Classifier(PredictorBackend.TorchSharp, new MicroBatchingOptions { Enabled = true, MaxBatchSize = 16, MaxWait = TimeSpan.FromMilliseconds(50) });

        await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => batched.PredictAsync(Texts[i % Texts.Length]))));

        sizes.Sum().Should().Be(32);
        sizes.Should().OnlyContain(s => s <= 16).And.Contain(s => s > 1);
    }

    [Fact]
    public async Task PredictAsync_AfterDispose_ThrowsObjectDisposed()
    {
        INerPredictor batched = Classifier(PredictorBackend.TorchSharp, new MicroBatchingOptions { Enabled = true });
        await batched.PredictAsync(Texts[0]);
        batched.Dispose();

        Func<Task> act = () => batched.PredictAsync(Texts[0]);

        await act.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public void Validate_NegativeMaxWait_ThrowsNamingTheProperty()
    {
        var options = new PredictorOptions { MicroBatching = new MicroBatchingOptions { MaxWait = TimeSpan.FromMilliseconds(-1) } };

        Action act = () => options.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("MaxWait");
    }

    private static INerPredictor Classifier(PredictorBackend backend, MicroBatchingOptions batching) =>
        TestPredictors.Create(new MultitaskModel(TinyBert.Encoder(seed: 5), TinyData.TokenLabels, TinyData.Topics), TinyBert.Vocabulary(),
            new PredictorOptions { BatchSize = 8, MicroBatching = batching }, backend);

    private static string Describe(Prediction p) =>
        string.Join(" ", p.Tags) + " | " + string.Join(";", p.Entities.Select(e => $"{e.Type}:{e.Start}-{e.End}:{e.Text}")) + " | " + p.Sentence?.Label;
}
