using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Inference;
using NerClassify.Inference.Cpu;
using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>
/// Runs the TorchSharp model, one dispose scope and inference-mode block per batch, with the encoder's forward on the CPU
/// kernels (<see cref="CpuKernelEncoder"/>) where <see cref="PredictorOptions.CpuKernels"/> and the CPU allow. Does not
/// own the model.
/// </summary>
internal sealed class TorchSharpBackend : IInferenceBackend
{
    private readonly TaskModel _model;
    private readonly IEncoder _encoder;

    /// <summary>Runs <paramref name="model"/> with <paramref name="options"/>' kernel mode, threads and heap tuning (null: the defaults).</summary>
    public TorchSharpBackend(TaskModel model, PredictorOptions? options = null)
    {
        _model = model;
        options ??= new PredictorOptions();
        _encoder = KernelEncoder(model.Encoder, options) ?? model.Encoder;
        if (options.TuneNativeHeap)
        {
            NativeHeapSettings.ApplyOnce();
        }
    }

    /// <summary>The encoder the forward runs: the model's own, or the kernels over its parameters.</summary>
    internal IEncoder Encoder => _encoder;

    /// <summary>
    /// The kernel forward over a BERT encoder on the CPU, or null where it does not apply: kernels off, no vector path
    /// on this CPU, another encoder type, or widths the kernels do not take.
    /// </summary>
    internal static CpuKernelEncoder? KernelEncoder(IEncoder encoder, PredictorOptions options)
    {
        if (options.CpuKernels == CpuKernelMode.Off || VectorPaths.Best is not { } path || encoder is not BertEncoder bert
            || !CpuKernelEncoder.CanRun(bert.Config))
        {
            return null;
        }

        var context = new KernelContext(path, options.Compute.Threads ?? get_num_threads());
        return new CpuKernelEncoder(bert, context, options.CpuKernels == CpuKernelMode.Auto ? new PathChooser() : null);
    }

    /// <inheritdoc />
    public IReadOnlyList<string>? TokenLabels => _model.TokenLabels;

    /// <inheritdoc />
    public IReadOnlyList<string>? SequenceLabels => _model.SequenceLabels;

    /// <inheritdoc />
    public bool UsesCasing => _model.UsesCasing;

    /// <inheritdoc />
    public bool UsesCharacters => _model.UsesCharacters;

    /// <inheritdoc />
    public int MaxPositions => _model.Encoder.Config.MaxTokens;

    /// <inheritdoc />
    public CrfDecoder? Crf
    {
        get
        {
            if (_model.TokenCrf is not { } crf)
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
        Device device = _model.parameters().First().device;

        // With the kernels, the whole batch, heads included, keeps LibTorch on one thread for this thread: LibTorch's
        // OpenMP workers would otherwise spin on the other cores after each small operator, where the kernels' helpers run.
        using LibTorchThreadLimit.Scope limit = _encoder is CpuKernelEncoder ? LibTorchThreadLimit.LimitToOne() : default;
        TaskOutputs outputs = _model.Forward(ToInputs(batch, device, _model.UsesCasing, _model.UsesCharacters), _encoder);
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

    /// <summary>Nothing to free: the model belongs to the caller, and the kernel encoder only reads it.</summary>
    public void Dispose()
    {
    }
}
