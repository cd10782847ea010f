using NerClassify.Data;
using NerClassify.Models;
using static TorchSharp.torch;

namespace NerClassify.Inference;

/// <summary>Runs the TorchSharp model, one dispose scope and inference-mode block per batch. Does not own the model.</summary>
internal sealed class TorchSharpBackend(TaskModel model) : IInferenceBackend
{
    /// <inheritdoc />
    public IReadOnlyList<string>? TokenLabels => model.TokenLabels;

    /// <inheritdoc />
    public IReadOnlyList<string>? SequenceLabels => model.SequenceLabels;

    /// <inheritdoc />
    public bool UsesCasing => model.UsesCasing;

    /// <inheritdoc />
    public int MaxPositions => model.Encoder.Config.MaxPositionEmbeddings;

    /// <inheritdoc />
    public BatchScores Run(Batch batch)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        Device device = model.parameters().First().device;
        TaskOutputs outputs = model.Forward(ModelRunner.ToInputs(batch, device, model.UsesCasing));
        float[]? tokens = outputs.TokenLogits?.log_softmax(-1).cpu().data<float>().ToArray();
        float[]? sequences = outputs.SequenceLogits?.softmax(-1).cpu().data<float>().ToArray();
        return new BatchScores(tokens, sequences);
    }

    /// <summary>Nothing to free: the model belongs to the caller.</summary>
    public void Dispose()
    {
    }
}
