using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// Hugging Face <c>BertSelfAttention</c> (its SDPA variant): query, key and value projections and
/// multi-head scaled dot-product attention with an additive mask. Attention dropout applies in training only.
/// </summary>
internal sealed class BertSelfAttention : Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "query")]
    private readonly Linear _query;

    [ComponentName(Name = "key")]
    private readonly Linear _key;

    [ComponentName(Name = "value")]
    private readonly Linear _value;

    private readonly long _heads;
    private readonly long _headSize;
    private readonly double _attentionDropout;

    public BertSelfAttention(BertConfig config)
        : base("BertSelfAttention")
    {
        _query = Linear(config.HiddenSize, config.HiddenSize);
        _key = Linear(config.HiddenSize, config.HiddenSize);
        _value = Linear(config.HiddenSize, config.HiddenSize);
        _heads = config.NumAttentionHeads;
        _headSize = config.HeadSize;
        _attentionDropout = config.AttentionProbsDropoutProb;
        RegisterComponents();
    }

    /// <param name="hidden">[B, T, H].</param>
    /// <param name="additiveMask">[B, 1, 1, T]: 0 where a key may be attended, a large negative number where not; null when nothing is masked.</param>
    /// <returns>[B, T, H].</returns>
    public override Tensor forward(Tensor hidden, Tensor? additiveMask)
    {
        long batch = hidden.size(0);
        long length = hidden.size(1);

        using Tensor projected = ProjectTogether(hidden); // [B, T, 3H]
        using Tensor split = projected.view(batch, length, 3, _heads, _headSize).permute(2, 0, 3, 1, 4); // [3, B, heads, T, d]
        using Tensor query = split[0];
        using Tensor key = split[1];
        using Tensor value = split[2];
        using Tensor context = functional.scaled_dot_product_attention(
            query, key, value, additiveMask, training ? _attentionDropout : 0.0); // [B, heads, T, d]
        return context.transpose(1, 2).reshape(batch, length, _heads * _headSize);
    }

    /// <summary>
    /// Query, key and value as one [3H, H] LibTorch projection instead of three: the same parameters (and Hugging
    /// Face keys), one larger matrix product that uses the cores better on the short sequences of NER batches.
    /// </summary>
    private Tensor ProjectTogether(Tensor hidden)
    {
        using Tensor weight = cat([_query.weight!, _key.weight!, _value.weight!], 0);
        using Tensor bias = cat([_query.bias!, _key.bias!, _value.bias!], 0);
        return functional.linear(hidden, weight, bias);
    }
}
