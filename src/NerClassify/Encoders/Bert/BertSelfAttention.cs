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
        long batch = hidden.shape[0];
        long length = hidden.shape[1];
        using Tensor query = SplitHeads(_query.forward(hidden), batch, length); // [B, heads, T, d]
        using Tensor key = SplitHeads(_key.forward(hidden), batch, length);
        using Tensor value = SplitHeads(_value.forward(hidden), batch, length);
        using Tensor context = functional.scaled_dot_product_attention(
            query, key, value, additiveMask, training ? _attentionDropout : 0.0); // [B, heads, T, d]
        return context.transpose(1, 2).reshape(batch, length, _heads * _headSize);
    }

    private Tensor SplitHeads(Tensor projected, long batch, long length)
    {
        using (projected)
        {
            return projected.view(batch, length, _heads, _headSize).transpose(1, 2);
        }
    }
}
