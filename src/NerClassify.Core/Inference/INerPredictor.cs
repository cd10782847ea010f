using NerClassify.Configuration;
using NerClassify.Data;

namespace NerClassify.Inference;

/// <summary>
/// A trained model that answers: entities with character spans and a sentence label for each text. Implemented by
/// <c>NerClassifier</c> (TorchSharp: also trains, saves and exports) and by <c>OnnxNerClassifier</c> (ONNX Runtime,
/// no TorchSharp needed).
/// </summary>
/// <remarks>
/// One instance serves any number of concurrent callers. <see cref="IDisposable.Dispose"/> waits for calls in
/// flight to finish and then frees the model; later calls throw <see cref="ObjectDisposedException"/>.
/// </remarks>
public interface INerPredictor : IDisposable
{
    /// <summary>The model's task, labels and settings.</summary>
    ModelConfig Config { get; }

    /// <summary>Predicts one text; entity spans index into <paramref name="text"/>.</summary>
    /// <param name="text">Raw text, split into words the way CoNLL-2003 is tokenised.</param>
    Prediction Predict(string text);

    /// <summary>
    /// Predicts one text asynchronously. With <see cref="PredictorOptions.MicroBatching"/> enabled, concurrent calls are
    /// coalesced into shared forward passes and each caller gets its own result; otherwise the prediction runs on the
    /// calling thread and the returned task is already complete.
    /// </summary>
    /// <param name="text">The text; entity spans index into it.</param>
    /// <param name="cancellationToken">Cancels this call only: a call cancelled before its batch starts is left out of it.</param>
    Task<Prediction> PredictAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>
    /// Predicts several texts asynchronously, as one request; results are in input order. With
    /// <see cref="PredictorOptions.MicroBatching"/> enabled, the texts share forward passes with concurrent calls and are
    /// scheduled fairly against them as one caller, so a large request cannot hold up small ones (it is split into
    /// batches of at most <see cref="MicroBatchingOptions.MaxBatchTokens"/> tokens); otherwise it is
    /// <see cref="PredictBatch(IReadOnlyList{string}, CancellationToken)"/> on the calling thread.
    /// </summary>
    /// <param name="texts">Raw texts; entity spans index into each.</param>
    /// <param name="cancellationToken">Cancels this call: its texts still queued are left out, and a running batch whose callers have all gone stops between forward passes.</param>
    Task<IReadOnlyList<Prediction>> PredictBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);

    /// <summary>Predicts one pre-split sentence; entity spans index into the words joined by single spaces.</summary>
    /// <param name="words">The words.</param>
    Prediction Predict(IReadOnlyList<string> words);

    /// <summary>Predicts many texts in batches; results are in input order.</summary>
    /// <param name="texts">Raw texts.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);

    /// <summary>Predicts many pre-split sentences in batches; results are in input order.</summary>
    /// <param name="sentences">The sentences, as words.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<IReadOnlyList<string>> sentences, CancellationToken cancellationToken = default);

    /// <summary>Scores the model on labelled sentences: the entity report, the sentence classification report and its confusion matrix.</summary>
    /// <param name="examples">Sentences with tags and/or sentence labels.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    EvaluationResult Evaluate(IReadOnlyList<TrainingExample> examples, CancellationToken cancellationToken = default);

    /// <summary>
    /// Scores the model on files: a CoNLL file for entities, a sentence-label file (<c>text</c> and <c>label</c>
    /// columns) for sentence classes, or a CoNLL file joined with a sentence-label file for both.
    /// </summary>
    /// <param name="dataPath">The CoNLL file, or the sentence-label file of a sentence-only model.</param>
    /// <param name="labelsPath">A sentence-label file joined to the CoNLL file by sentence index, or null.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <exception cref="FormatException">A file is malformed; the message names the file and line.</exception>
    Task<EvaluationResult> EvaluateAsync(string dataPath, string? labelsPath = null, CancellationToken cancellationToken = default);
}
