using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// The inference forward of a <see cref="BertEncoder"/> on the CPU kernels: its embeddings and pooler run as the
/// modules do, and each layer runs as one fused sequence of kernel calls over the layer's parameters (query, key and
/// value side by side, attention straight from that projection, residual LayerNorms, GELU inside the intermediate
/// projection), where <see cref="BertLayer"/> would call a dozen LibTorch operators.
/// </summary>
/// <remarks>
/// <para>
/// It reads the encoder's parameters in place on every call (nothing is copied or cached), so it always computes with
/// the weights the encoder holds. While a gradient is recorded, or when the encoder is not float32 on the CPU, it runs
/// the encoder's own forward instead; so does <see cref="CpuKernelMode.Auto"/> for the shapes where LibTorch measured faster
/// (<see cref="PathChooser"/>). The modules in <c>Encoders/Bert</c> stay plain LibTorch and are the reference the
/// kernels are tested against.
/// </para>
/// <para>Does not own the encoder.</para>
/// </remarks>
internal sealed class CpuKernelEncoder : IEncoder
{
    private readonly BertEncoder _bert;
    private readonly LayerParameters[] _layers;
    private readonly long _heads;
    private readonly long _headSize;
    private readonly double _epsilon;
    private readonly PathChooser? _chooser;

    /// <summary>Wraps <paramref name="bert"/>; use <see cref="CanRun"/> first.</summary>
    /// <param name="bert">The encoder whose parameters the kernels read.</param>
    /// <param name="context">The vector path and threads.</param>
    /// <param name="chooser">Chooses kernels or LibTorch by shape, or null for kernels at every shape.</param>
    public CpuKernelEncoder(BertEncoder bert, KernelContext context, PathChooser? chooser = null)
    {
        _bert = bert;
        Context = context;
        _chooser = chooser;
        BertConfig config = bert.Config;
        _heads = config.NumAttentionHeads;
        _headSize = config.HeadSize;
        _epsilon = config.LayerNormEps;
        Dictionary<string, Tensor> parameters = bert.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        _layers = Enumerable.Range(0, config.NumHiddenLayers).Select(i => LayerParameters.Find(parameters, $"encoder.layer.{i}.")).ToArray();
    }

    /// <summary>The vector path and threads every kernel call of this encoder uses.</summary>
    public KernelContext Context { get; }

    /// <inheritdoc />
    public BertConfig Config => _bert.Config;

    /// <inheritdoc />
    public int HiddenSize => _bert.HiddenSize;

    /// <inheritdoc />
    public bool HasPooler => _bert.HasPooler;

    /// <summary>Whether the kernels can run this configuration's layers: widths and head sizes that are multiples of 16.</summary>
    public static bool CanRun(BertConfig config) =>
        config.HiddenSize % 16 == 0 && config.HeadSize % 16 == 0 && config.IntermediateSize % 16 == 0;

    /// <inheritdoc />
    public EncoderOutput Encode(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds = null, bool pool = true, Tensor? extraEmbeddings = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        Tensor firstWeight = _layers[0].Query.Weight;
        if (is_grad_enabled() || firstWeight.dtype != ScalarType.Float32 || firstWeight.device_type != DeviceType.CPU
            || inputIds.dim() != 2 || inputIds.device_type != DeviceType.CPU
            || (_chooser is not null && !_chooser.UseKernels(
                inputIds.size(0),
                inputIds.size(1),
                () => Forward(inputIds, attentionMask, tokenTypeIds, extraEmbeddings),
                () => LibTorchForward(inputIds, attentionMask, tokenTypeIds, pool: false, extraEmbeddings).LastHiddenState)))
        {
            return LibTorchForward(inputIds, attentionMask, tokenTypeIds, pool, extraEmbeddings);
        }

        Tensor hidden = Forward(inputIds, attentionMask, tokenTypeIds, extraEmbeddings);
        return new EncoderOutput(hidden, pool ? _bert.Pool(hidden) : null);
    }

    /// <summary>
    /// The encoder's own forward, with LibTorch's thread count back at <see cref="KernelContext.Threads"/> for the calling
    /// thread (a backend that runs a batch on the kernels holds LibTorch at one thread around the whole batch).
    /// </summary>
    private EncoderOutput LibTorchForward(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds, bool pool, Tensor? extraEmbeddings)
    {
        using LibTorchThreadLimit.Scope threads = LibTorchThreadLimit.LimitTo(Context.Threads);
        return _bert.Encode(inputIds, attentionMask, tokenTypeIds, pool, extraEmbeddings);
    }

    /// <summary>The last hidden state [B, T, H] through the kernels.</summary>
    private Tensor Forward(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds, Tensor? extraEmbeddings)
    {
        _bert.CheckInputs(inputIds);
        // LibTorch's own operators (the embeddings) on one thread for this thread, while the kernels use the cores.
        using LibTorchThreadLimit.Scope limit = LibTorchThreadLimit.LimitToOne();
        using Tensor? additiveMask = BertEncoder.AdditiveMask(attentionMask, ScalarType.Float32);
        Tensor hidden = _bert.Embed(inputIds, tokenTypeIds, extraEmbeddings); // [B, T, H]
        foreach (LayerParameters layer in _layers)
        {
            Tensor next = Layer(layer, hidden, additiveMask);
            hidden.Dispose();
            hidden = next;
        }

        return hidden;
    }

    /// <summary>One <c>BertLayer</c>: attention with its residual LayerNorm, then the feed-forward block with its own.</summary>
    private Tensor Layer(LayerParameters p, Tensor hidden, Tensor? additiveMask)
    {
        using Tensor projected = ProjectionKernel.TryProject(Context, hidden, [p.Query.Weight, p.Key.Weight, p.Value.Weight], [p.Query.Bias, p.Key.Bias, p.Value.Bias])
            ?? LibTorchProjectTogether(hidden, p); // [B, T, 3H]
        using Tensor context = AttentionKernel.TryAttend(Context, projected, additiveMask, _heads, _headSize)
            ?? LibTorchAttention(projected, additiveMask); // [B, T, H]
        using Tensor attentionOutput = Project(context, p.AttentionOutput, gelu: false);
        using Tensor attended = AddAndNormalize(attentionOutput, hidden, p.AttentionNorm);
        using Tensor expanded = Project(attended, p.Intermediate, gelu: true); // [B, T, I]
        using Tensor output = Project(expanded, p.Output, gelu: false);
        return AddAndNormalize(output, attended, p.OutputNorm);
    }

    private Tensor Project(Tensor input, Affine layer, bool gelu)
    {
        if (ProjectionKernel.TryProject(Context, input, [layer.Weight], [layer.Bias], gelu) is { } projected)
        {
            return projected;
        }

        Tensor linear = functional.linear(input, layer.Weight, layer.Bias);
        if (!gelu)
        {
            return linear;
        }

        using (linear)
        {
            return functional.gelu(linear);
        }
    }

    private Tensor AddAndNormalize(Tensor x, Tensor residual, Affine norm)
    {
        if (LayerNormKernel.TryAddAndNormalize(Context, x, residual, norm.Weight, norm.Bias!, _epsilon) is { } normalized)
        {
            return normalized;
        }

        using Tensor sum = x.add(residual);
        return functional.layer_norm(sum, [x.size(-1)], norm.Weight, norm.Bias, _epsilon);
    }

    private static Tensor LibTorchProjectTogether(Tensor hidden, LayerParameters p)
    {
        using Tensor weight = cat([p.Query.Weight, p.Key.Weight, p.Value.Weight], 0);
        using Tensor bias = cat([p.Query.Bias!, p.Key.Bias!, p.Value.Bias!], 0);
        return functional.linear(hidden, weight, bias);
    }

    private Tensor LibTorchAttention(Tensor projected, Tensor? additiveMask)
    {
        long batch = projected.size(0);
        long length = projected.size(1);
        using Tensor split = projected.view(batch, length, 3, _heads, _headSize).permute(2, 0, 3, 1, 4); // [3, B, heads, T, d]
        using Tensor query = split[0];
        using Tensor key = split[1];
        using Tensor value = split[2];
        using Tensor context = functional.scaled_dot_product_attention(query, key, value, additiveMask); // [B, heads, T, d]
        return context.transpose(1, 2).reshape(batch, length, _heads * _headSize);
    }

    /// <summary>Nothing to free: the encoder belongs to its model.</summary>
    public void Dispose()
    {
    }

    /// <summary>A weight and its bias (a linear layer or a LayerNorm).</summary>
    private readonly record struct Affine(Tensor Weight, Tensor? Bias)
    {
        public static Affine Find(Dictionary<string, Tensor> parameters, string prefix) =>
            new(parameters[prefix + "weight"], parameters.GetValueOrDefault(prefix + "bias"));
    }

    /// <summary>One layer's parameters, under Hugging Face's names.</summary>
    private sealed record LayerParameters(Affine Query, Affine Key, Affine Value, Affine AttentionOutput, Affine AttentionNorm, Affine Intermediate, Affine Output, Affine OutputNorm)
    {
        public static LayerParameters Find(Dictionary<string, Tensor> parameters, string prefix) => new(
            Affine.Find(parameters, prefix + "attention.self.query."),
            Affine.Find(parameters, prefix + "attention.self.key."),
            Affine.Find(parameters, prefix + "attention.self.value."),
            Affine.Find(parameters, prefix + "attention.output.dense."),
            Affine.Find(parameters, prefix + "attention.output.LayerNorm."),
            Affine.Find(parameters, prefix + "intermediate.dense."),
            Affine.Find(parameters, prefix + "output.dense."),
            Affine.Find(parameters, prefix + "output.LayerNorm."));
    }
}
