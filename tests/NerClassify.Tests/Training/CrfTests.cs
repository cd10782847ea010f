using FluentAssertions;
using NerClassify.Export;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using NerClassify.Training;
using static TorchSharp.torch;

namespace NerClassify.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class CrfTests : IDisposable
{
    private const int Labels = 3;

    private readonly string _folder = Directory.CreateTempSubdirectory("nerclassify-crf-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void NegativeLogLikelihood_TinyExample_EqualsBruteForceOverAllPaths(int seed)
    {
        var random = new Random(seed);
        using var crf = RandomCrf(random);
        double[,] emissions = RandomEmissions(random, 4);
        int[] gold = [2, 0, 1, 1];

        // Words at positions 1, 2, 4, 5; positions 0 and 3 are not words and hold scores that must be ignored.
        long[] labels = [-100, gold[0], gold[1], -100, gold[2], gold[3]];
        using var scope = NewDisposeScope();
        Tensor logits = SubwordLogits(emissions, [1, 2, 4, 5], 6, random);
        float nll = crf.NegativeLogLikelihood(logits, tensor(labels, [1, 6]))!.item<float>();

        (double logZ, _) = BruteForce(crf, emissions);
        nll.Should().BeApproximately((float)(logZ - PathScore(crf, emissions, gold)), 1e-4f);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LogPartition_TinyExample_EqualsLogSumExpOverAll81Paths(int seed)
    {
        var random = new Random(seed);
        using var crf = RandomCrf(random);
        double[,] emissions = RandomEmissions(random, 4);
        using var scope = NewDisposeScope();

        float logZ = crf.LogPartition(ToTensor(emissions).unsqueeze(0), ones(1, 4, ScalarType.Bool)).item<float>();

        (double expected, _) = BruteForce(crf, emissions);
        logZ.Should().BeApproximately((float)expected, 1e-4f);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Decode_TinyExample_EqualsBruteForceBestPath(int seed)
    {
        var random = new Random(seed);
        using var crf = RandomCrf(random);
        double[,] emissions = RandomEmissions(random, 4);

        int[] path = Decoder(crf).Decode(Rows(emissions));

        (_, int[] best) = BruteForce(crf, emissions);
        path.Should().Equal(best);
    }

    [Fact]
    public void Decode_StrongTransitions_OverrideTheEmissionsArgmax()
    {
        // Emissions favour label 1 everywhere, but label 1 may not follow anything.
        float[] transitions = [0, -100, 0, 0, -100, 0, 0, -100, 0];
        var decoder = new CrfDecoder(transitions, [0, 0, 0], [0, 0, 0]);

        int[] path = decoder.Decode([[0f, 1f, 0.5f], [0f, 1f, 0.5f], [0f, 1f, 0.5f]]);

        path.Should().Equal(1, 2, 2);
    }

    [Fact]
    public void Constrain_TransitionsFavouringIllFormedTags_DecodesOnlyAllowedPaths()
    {
        // Labels O, B-LOC, I-LOC: the learned scores favour starting with I-LOC and I-LOC after anything, which IOB2 forbids after O.
        float[] transitions = [0, 0, 5, 0, 0, 5, 0, 0, 5];
        var decoder = new CrfDecoder(transitions, [0, 0, 5], [0, 0, 0]);
        float[][] emissions = [[1f, 0f, 0.5f], [1f, 0f, 0.9f], [1f, 0f, 0.9f]];

        int[] free = decoder.Decode(emissions);
        int[] constrained = decoder.Constrain(new BioDecoder(["O", "B-LOC", "I-LOC"])).Decode(emissions);

        free.Should().Equal(2, 2, 2);
        constrained.Should().Equal(1, 2, 2);
    }

    [Theory]
    [InlineData(true, "B-LOC", "I-LOC")]
    [InlineData(false, "I-LOC", "I-LOC")]
    public void Predict_CrfFavouringAnIllFormedStart_HonoursConstrainedDecoding(bool constrained, string first, string second)
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { Crf = true });
        using (no_grad())
        {
            model.TokenCrf!.StartTransitions[2].fill_(1000);
            model.TokenCrf.Transitions.select(1, 2).fill_(1000);
        }

        using NerClassifier classifier = NerClassifier.FromModel(model, TinyBert.Vocabulary(), new PredictorOptions { ConstrainedDecoding = constrained });
        Prediction prediction = classifier.Predict("John Smith visited Paris today .");

        prediction.Tags.Should().Equal(first, second, "I-LOC", "I-LOC", "I-LOC", "I-LOC");
    }

    [Fact]
    public void NegativeLogLikelihood_BatchWithPaddingAndIgnoredPositions_EqualsMeanOfSentences()
    {
        var random = new Random(7);
        using var crf = RandomCrf(random);
        int[][] words = [[0, 1, 2, 3, 4], [1, 3], [2], [], [0, 2, 3]]; // word positions of each row, length 6
        int[][] gold = [[2, 0, 1, 1, 0], [1, 2], [0], [], [1, 1, 2]];
        using var scope = NewDisposeScope();
        Tensor logits = randn(words.Length, 6, Labels, generator: new Generator(11));
        var labels = new long[words.Length * 6];
        Array.Fill(labels, -100L);
        var single = new List<float>();
        for (int row = 0; row < words.Length; row++)
        {
            var rowLabels = new long[6];
            Array.Fill(rowLabels, -100L);
            for (int w = 0; w < words[row].Length; w++)
            {
                labels[(row * 6) + words[row][w]] = gold[row][w];
                rowLabels[words[row][w]] = gold[row][w];
            }

            Tensor? rowLoss = crf.NegativeLogLikelihood(logits.narrow(0, row, 1), tensor(rowLabels, [1, 6]));
            if (words[row].Length == 0)
            {
                rowLoss.Should().BeNull("a sentence without words has no CRF loss");
            }
            else
            {
                single.Add(rowLoss!.item<float>());
            }
        }

        float batched = crf.NegativeLogLikelihood(logits, tensor(labels, [words.Length, 6]))!.item<float>();

        batched.Should().BeApproximately(single.Average(), 1e-4f);
    }

    [Fact]
    public void Constructor_CrfOption_AddsTransitionsUnderTheTokenClassifierOnly()
    {
        using var plain = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics);
        using var crf = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { Crf = true });

        Dictionary<string, long[]> added = crf.state_dict().Where(p => !plain.state_dict().ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value.shape);

        added.Keys.Should().BeEquivalentTo("token_classifier.crf.transitions", "token_classifier.crf.start_transitions", "token_classifier.crf.end_transitions");
        added["token_classifier.crf.transitions"].Should().Equal(7, 7);
        plain.state_dict().Keys.Should().NotContain(k => k.Contains("crf"));
        plain.TokenCrf.Should().BeNull();
    }

    [Fact]
    public async Task TrainAsync_MultitaskWithCrfOnAHandfulOfSentences_OverfitsTheTokens()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, new MultitaskLossOptions { TokenWeight = 1 }, tokenHeadOptions: new TokenHeadOptions { Crf = true });
        var options = TrainerOptions.Report with { LearningRate = 3e-3, Epochs = 100, BatchSize = 6, Seed = 3, MaxGradientNorm = 1.0, Schedule = LearningRateSchedule.Constant, Compute = new ComputeOptions { Device = DeviceKind.Cpu } };

        TrainingHistory history = await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples, TinyData.Examples), options);

        EvaluationResult last = history.Epochs[^1].Validation!;
        last.Entities!.TokenAccuracy.Should().Be(1.0);
        last.Entities.F1.Should().Be(1.0);
        history.Epochs[^1].TrainLoss.Should().BeLessThan(history.Epochs[0].TrainLoss);
        using (no_grad())
        {
            model.TokenCrf!.Transitions.abs().max().item<float>().Should().BeGreaterThan(0.01f, "the CRF's transitions are trained");
        }
    }

    [Fact]
    public async Task TrainAsync_CrfModelManyEpochs_KeepsTheNumberOfLiveTensorsFlat()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 13), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { Crf = true });
        var liveAtEpochEnd = new List<long>();

        // The progress callback runs on the training thread, whose dispose-scope statistics it reads.
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Phase == TrainingPhase.Training && p.Step == p.StepsPerEpoch)
            {
                liveAtEpochEnd.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }
        });
        // One batch of every sentence per epoch: the CRF's loop makes tensors per word, so the count read inside the
        // last step depends on that batch's longest sentence.
        var options = TrainerOptions.Report with { LearningRate = 3e-3, Epochs = 6, BatchSize = 6, Seed = 3, Compute = new ComputeOptions { Device = DeviceKind.Cpu } };
        await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples, TinyData.Examples), options, progress);

        liveAtEpochEnd.Should().HaveCount(6);
        liveAtEpochEnd.Skip(2).Should().OnlyContain(count => count == liveAtEpochEnd[1]);
    }

    [Fact]
    public void ComputeLoss_CrfModel_IsTheCrfLikelihoodAndTrainsTheTransitions()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(seed: 4), TinyData.TokenLabels, headOptions: new TokenHeadOptions { Crf = true });
        model.eval();
        using var scope = NewDisposeScope();
        Tensor ids = tensor(new long[] { 2, 10, 11, 12, 3, 0 }, [1, 6]);
        var inputs = new ModelInputs(ids, tensor(new long[] { 1, 1, 1, 1, 1, 0 }, [1, 6]), zeros(1, 6, ScalarType.Int64), null);
        Tensor labels = tensor(new long[] { -100, 5, 6, 0, -100, -100 }, [1, 6]);

        TaskOutputs outputs = model.Forward(inputs);
        Tensor loss = model.ComputeLoss(outputs, labels, null).Total;
        float expected = model.TokenCrf!.NegativeLogLikelihood(outputs.TokenLogits!, labels)!.item<float>();
        float crossEntropy = nn.functional.cross_entropy(outputs.TokenLogits!.reshape(-1, 7), labels.reshape(-1), ignore_index: -100).item<float>();
        loss.backward();

        loss.item<float>().Should().BeApproximately(expected, 1e-6f);
        loss.item<float>().Should().NotBeApproximately(crossEntropy, 1e-3f);
        model.TokenCrf.Transitions.grad!.abs().sum().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Predict_CrfModel_DecodesWithTheLearnedTransitions()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { Crf = true });
        using (no_grad())
        {
            // B-LOC (1) starts every sentence and I-LOC (2) follows anything: the emissions cannot outweigh that.
            model.TokenCrf!.StartTransitions[1].fill_(1000);
            model.TokenCrf.Transitions.select(1, 2).fill_(1000);
        }

        using NerClassifier classifier = NerClassifier.FromModel(model, TinyBert.Vocabulary());
        Prediction prediction = classifier.Predict("John Smith visited Paris today .");

        prediction.Tags.Should().Equal("B-LOC", "I-LOC", "I-LOC", "I-LOC", "I-LOC", "I-LOC");
    }

    [Fact]
    public async Task SaveThenLoad_CrfModel_KeepsTransitionsAndPredictions()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { Crf = true });
        await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), TrainerOptions.Report with { LearningRate = 3e-3, Epochs = 15, BatchSize = 6, Seed = 3, Schedule = LearningRateSchedule.Constant });
        using NerClassifier trained = NerClassifier.FromModel(model, TinyBert.Vocabulary());
        string[] texts = TinyData.Examples.Select(e => string.Join(" ", e.Words)).ToArray();
        string[] before = trained.PredictBatch(texts).Select(p => string.Join(" ", p.Tags)).ToArray();
        float[] transitions = model.TokenCrf!.Transitions.detach().data<float>().ToArray();
        trained.Save(_folder);

        using NerClassifier loaded = NerClassifier.Load(_folder);

        File.ReadAllText(Path.Combine(_folder, "config.json")).Should().Contain("\"crf\": true");
        loaded.Model.TokenCrf.Should().NotBeNull();
        loaded.Model.TokenCrf!.Transitions.detach().data<float>().ToArray().Should().Equal(transitions);
        transitions.Should().Contain(t => t != 0);
        loaded.PredictBatch(texts).Select(p => string.Join(" ", p.Tags)).Should().Equal(before);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OnnxExport_CrfModel_PredictsTheSameTagsInOnnxRuntime(bool constrained)
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { Crf = true });
        using (no_grad())
        {
            // Transitions strong enough to overrule the per-word scores, so the two runtimes agree only if both use them.
            model.TokenCrf!.StartTransitions[2].fill_(50);
            model.TokenCrf.Transitions.select(1, 2).fill_(50);
            model.TokenCrf.Transitions[2, 5].fill_(60);
        }

        string[] texts = ["John Smith visited Paris today .", "Mary won the match in New York .", "Google shares rose ."];
        var options = new PredictorOptions { ConstrainedDecoding = constrained };
        // The same weights without the CRF, for the check at the end.
        using var plain = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics);
        plain.load_state_dict(model.state_dict().Where(p => !p.Key.Contains("crf", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value.clone()), strict: false);
        INerPredictor torchPredictor = TestPredictors.Create(model, TinyBert.Vocabulary(), options, PredictorBackend.TorchSharp);
        string[] expected = torchPredictor.PredictBatch(texts).Select(p => string.Join(" ", p.Tags)).ToArray();
        using var onnx = (IDisposable)TestPredictors.Create(model, TinyBert.Vocabulary(), options, PredictorBackend.OnnxRuntime); // frees the model
        string[] actual = ((INerPredictor)onnx).PredictBatch(texts).Select(p => string.Join(" ", p.Tags)).ToArray();

        actual.Should().Equal(expected);
        // Without the CRF (argmax of the per-word scores) the tags would differ: the transitions decide them.
        using var withoutCrf = (IDisposable)TestPredictors.Create(plain, TinyBert.Vocabulary(), options, PredictorBackend.TorchSharp);
        ((INerPredictor)withoutCrf).PredictBatch(texts).Select(p => string.Join(" ", p.Tags)).Should().NotEqual(expected);
    }

    [Fact]
    public void TritonExport_CrfModel_ThrowsNamingTheOption()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { Crf = true });

        Action export = () => TritonExporter.Export(model, Path.Combine(_folder, "repository"));

        export.Should().Throw<NotSupportedException>().WithMessage("*TokenHeadOptions.Crf*Export to ONNX instead*");
    }

    private static LinearChainCrf RandomCrf(Random random)
    {
        var crf = new LinearChainCrf(Labels);
        using (no_grad())
        {
            crf.Transitions.copy_(tensor(Enumerable.Range(0, Labels * Labels).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray(), [Labels, Labels]));
            crf.StartTransitions.copy_(tensor(Enumerable.Range(0, Labels).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray()));
            crf.EndTransitions.copy_(tensor(Enumerable.Range(0, Labels).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray()));
        }

        return crf;
    }

    private static double[,] RandomEmissions(Random random, int words)
    {
        var emissions = new double[words, Labels];
        for (int w = 0; w < words; w++)
        {
            for (int l = 0; l < Labels; l++)
            {
                emissions[w, l] = (float)((random.NextDouble() * 6) - 3);
            }
        }

        return emissions;
    }

    private static Tensor ToTensor(double[,] emissions) =>
        tensor(Rows(emissions).SelectMany(r => r).ToArray(), [emissions.GetLength(0), Labels]);

    private static float[][] Rows(double[,] emissions) =>
        Enumerable.Range(0, emissions.GetLength(0)).Select(w => Enumerable.Range(0, Labels).Select(l => (float)emissions[w, l]).ToArray()).ToArray();

    /// <summary>[1, length, L] logits with the word emissions at <paramref name="positions"/> and noise elsewhere.</summary>
    private static Tensor SubwordLogits(double[,] emissions, int[] positions, int length, Random random)
    {
        var values = new float[length * Labels];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 20) - 10);
        }

        for (int w = 0; w < positions.Length; w++)
        {
            for (int l = 0; l < Labels; l++)
            {
                values[(positions[w] * Labels) + l] = (float)emissions[w, l];
            }
        }

        return tensor(values, [1, length, Labels]);
    }

    private static CrfDecoder Decoder(LinearChainCrf crf) => new(
        crf.Transitions.detach().data<float>().ToArray(),
        crf.StartTransitions.detach().data<float>().ToArray(),
        crf.EndTransitions.detach().data<float>().ToArray());

    private static double PathScore(LinearChainCrf crf, double[,] emissions, int[] path)
    {
        float[] transitions = crf.Transitions.detach().data<float>().ToArray();
        double score = crf.StartTransitions.detach().data<float>()[path[0]] + crf.EndTransitions.detach().data<float>()[path[^1]];
        for (int w = 0; w < path.Length; w++)
        {
            score += emissions[w, path[w]];
            if (w > 0)
            {
                score += transitions[(path[w - 1] * Labels) + path[w]];
            }
        }

        return score;
    }

    /// <summary>log Z and the best path, by enumerating all L^W paths.</summary>
    private static (double LogZ, int[] Best) BruteForce(LinearChainCrf crf, double[,] emissions)
    {
        int words = emissions.GetLength(0);
        int count = (int)Math.Pow(Labels, words);
        var scores = new double[count];
        int[] best = [];
        double bestScore = double.NegativeInfinity;
        for (int code = 0; code < count; code++)
        {
            var path = new int[words];
            for (int w = 0, rest = code; w < words; w++, rest /= Labels)
            {
                path[w] = rest % Labels;
            }

            scores[code] = PathScore(crf, emissions, path);
            if (scores[code] > bestScore)
            {
                bestScore = scores[code];
                best = path;
            }
        }

        count.Should().Be(81);
        double max = scores.Max();
        return (max + Math.Log(scores.Sum(s => Math.Exp(s - max))), best);
    }
}
