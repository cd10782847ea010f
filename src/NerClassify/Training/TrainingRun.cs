using NerClassify.Data;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tokenization;
using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NerClassify.Training;

/// <summary>
/// What stays fixed while a run trains, passed to each epoch as one object (as Hugging Face passes its
/// <c>TrainingArguments</c> and <c>TrainerState</c>) rather than as a dozen parameters: the model and settings, the
/// encoded sentences, the device, the optimiser, the schedule, the evaluation runner, progress and cancellation.
/// </summary>
internal sealed class TrainingRun
{
    /// <summary>The model being trained.</summary>
    public required TaskModel Model { get; init; }

    /// <summary>The validated settings.</summary>
    public required TrainerOptions Options { get; init; }

    /// <summary>The training windows with their label ids.</summary>
    public required List<EncodedSentence> Encoded { get; init; }

    /// <summary>The vocabulary's padding id.</summary>
    public required long PadId { get; init; }

    /// <summary>Where the model computes.</summary>
    public required Device Device { get; init; }

    /// <summary>The optimiser and its parameter groups.</summary>
    public required OptimizerGroups Optimizer { get; init; }

    /// <summary>The learning rate per step.</summary>
    public required LearningRateScheduler Schedule { get; init; }

    /// <summary>Predicts validation sentences with the window the model predicts with after training.</summary>
    public required ModelRunner Evaluator { get; init; }

    /// <summary>Validation sentences, or null.</summary>
    public IReadOnlyList<TrainingExample>? Validation { get; init; }

    /// <summary>Receives a report after every optimiser step, or null.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Checked before every batch.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Batches per epoch.</summary>
    public required int BatchesPerEpoch { get; init; }

    /// <summary>A report at the end of an epoch: all its batches done, its mean loss, the time the remaining epochs would take at its pace.</summary>
    public TrainingProgress EpochReport(EpochResult epoch) => new(
        epoch.Epoch, Options.Epochs, BatchesPerEpoch, BatchesPerEpoch, epoch.TrainLoss, epoch.TrainTokenLoss, epoch.TrainSequenceLoss,
        epoch.ExamplesPerSecond, TimeSpan.FromSeconds(epoch.TrainSeconds * (Options.Epochs - epoch.Epoch)));

    /// <summary>The batches of epoch <paramref name="epoch"/> (0 to count them): shuffled with a per-epoch seed.</summary>
    public IReadOnlyList<Batch> Batches(int epoch) => BatchPlanner.CreateBatches(Encoded, PadId, new BatchingOptions
    {
        BatchSize = Options.BatchSize,
        Shuffle = true,
        LengthBucketing = Options.LengthBucketing,
        Seed = Options.Seed + epoch,
    });

    /// <summary>Trains one epoch: every batch once, an optimiser step every <see cref="TrainerOptions.GradientAccumulationSteps"/> batches.</summary>
    /// <param name="state">Advanced by each optimiser step.</param>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <returns>The epoch's losses, learning rate and speed (no validation yet).</returns>
    public EpochResult TrainEpoch(TrainerState state, int epoch)
    {
        TrainerOptions options = Options;
        TaskModel model = Model;
        OptimizerHelper optimizer = Optimizer.Optimizer;

        // Seeding per epoch makes an epoch's dropout masks and batch order independent of what ran before,
        // so a run resumed from a checkpoint continues exactly as an uninterrupted one.
        manual_seed(options.Seed + epoch);
        IReadOnlyList<Batch> batches = Batches(epoch);
        model.train();
        var clock = Stopwatch.StartNew();
        double lossSum = 0, tokenSum = 0, sequenceSum = 0;
        int tokenBatches = 0, sequenceBatches = 0, examples = 0;
        int accumulation = options.GradientAccumulationSteps;
        Parameter[] trainable = model.parameters().Where(p => p.requires_grad).ToArray();
        using (NewDisposeScope())
        {
            // zero_grad wraps each gradient in a new handle; the scope releases them.
            optimizer.zero_grad();
        }

        for (int b = 0; b < batches.Count; b++)
        {
            CancellationToken.ThrowIfCancellationRequested();
            Batch batch = batches[b];
            using (NewDisposeScope())
            {
                ModelInputs inputs = TorchSharpBackend.ToInputs(batch, Device, model.UsesCasing, model.UsesCharacters);
                Tensor? tokenLabels = batch.Labels is null ? null : tensor(batch.Labels, [batch.BatchSize, batch.SequenceLength], device: Device);
                Tensor? sentenceLabels = batch.SentenceLabels is null ? null : tensor(batch.SentenceLabels, device: Device);
                TaskLoss loss = model.ComputeLoss(model.Forward(inputs), tokenLabels, sentenceLabels);
                if (loss.Total.requires_grad)
                {
                    loss.Total.div(accumulation).backward();
                }

                // Each loss is read back once (item() waits for the value) and reused for the sums and the report.
                float total = loss.Total.item<float>();
                float? tokenLoss = loss.Token?.item<float>();
                float? sequenceLoss = loss.Sequence?.item<float>();
                lossSum += total;
                if (tokenLoss is { } token)
                {
                    tokenSum += token;
                    tokenBatches++;
                }

                if (sequenceLoss is { } sequence)
                {
                    sequenceSum += sequence;
                    sequenceBatches++;
                }

                if ((b + 1) % accumulation == 0 || b == batches.Count - 1)
                {
                    if (options.MaxGradientNorm is { } norm)
                    {
                        nn.utils.clip_grad_norm_(trainable, norm);
                    }

                    Optimizer.SetLearningRate(Schedule.RateAt(state.GlobalStep));
                    optimizer.step();
                    optimizer.zero_grad();
                    state.GlobalStep++;
                }

                examples += batch.BatchSize;
                if (Progress is { } progress)
                {
                    double elapsed = clock.Elapsed.TotalSeconds;
                    double perBatch = elapsed / (b + 1);
                    int remainingBatches = (batches.Count - b - 1) + ((options.Epochs - epoch) * batches.Count);
                    progress.Report(new TrainingProgress(
                        epoch, options.Epochs, b + 1, batches.Count, total,
                        tokenLoss, sequenceLoss, examples / Math.Max(elapsed, 1e-9),
                        TimeSpan.FromSeconds(perBatch * remainingBatches)));
                }
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        (double Sequence, double Token)? weights = model.CurrentLossWeights();
        return new EpochResult(
            epoch,
            lossSum / batches.Count,
            tokenBatches == 0 ? null : tokenSum / tokenBatches,
            sequenceBatches == 0 ? null : sequenceSum / sequenceBatches,
            Optimizer.BaseLearningRate,
            seconds,
            examples / seconds,
            null,
            weights?.Sequence,
            weights?.Token);
    }
}
