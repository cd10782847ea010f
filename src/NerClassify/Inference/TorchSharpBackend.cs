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
    public bool UsesCharacters => model.UsesCharacters;

    /// <inheritdoc />
    public int MaxPositions => model.Encoder.Config.MaxTokens;

    /// <inheritdoc />
    public CrfDecoder? Crf
    {
        get
        {
            if (model.TokenCrf is not { } crf)
            {
                return null;
            }

            using var scope = NewDisposeScope();
            using var inference = inference_mode();
            return new CrfDecoder(Floats(crf.Transitions), Floats(crf.StartTransitions), Floats(crf.EndTransitions));
        }
    }

    /// <inheritdoc />
    public BatchScores Run(Batch batch)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        Tensor firstParameter = model.parameters().First();
        Device device = firstParameter.device;

        // The whole batch, heads included, keeps LibTorch on one thread while the encoder's projections use the cores.
        using var kernel = Encoders.Bert.ProjectionKernel.BeginForward(device.type, firstParameter.dtype);
        TaskOutputs outputs = model.Forward(ToInputs(batch, device, model.UsesCasing, model.UsesCharacters));
        float[]? tokens = outputs.TokenLogits?.log_softmax(-1).cpu().data<float>().ToArray();
        float[]? sequences = outputs.SequenceLogits?.softmax(-1).cpu().data<float>().ToArray();
        return new BatchScores(tokens, sequences);
    }

    /// <summary>Builds the model inputs of a batch on <paramref name="device"/>, inside the caller's scope.</summary>
    public static ModelInputs ToInputs(Batch batch, Device device, bool usesCasing, bool usesCharacters = false)
    {
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        Tensor ids = tensor(batch.InputIds, shape, device: device);
        Tensor mask = tensor(batch.AttentionMask, shape, device: device);
        Tensor types = tensor(batch.TokenTypeIds, shape, device: device);
        Tensor? casing = usesCasing && batch.CasingIds is not null ? tensor(batch.CasingIds, shape, device: device) : null;
        Tensor? characters = usesCharacters && batch.CharacterIds is not null
            ? tensor(batch.CharacterIds, [batch.BatchSize, batch.SequenceLength, Tokenization.WordCharacters.Width], device: device)
            : null;
        return new ModelInputs(ids, mask, types, casing, characters);
    }

    private static float[] Floats(Tensor parameter)
    {
        // Intermediates belong to the caller's dispose scope.
        return parameter.detach().cpu().to_type(ScalarType.Float32).reshape(-1).data<float>().ToArray();
    }

    /// <summary>Nothing to free: the model belongs to the caller.</summary>
    public void Dispose()
    {
    }
}
