using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace NerClassify.Heads;

/// <summary>
/// A linear-chain conditional random field over word-level label scores (keys <c>crf.transitions</c> [from, to],
/// <c>crf.start_transitions</c> and <c>crf.end_transitions</c>, as in the common PyTorch <c>CRF</c> modules used
/// with Hugging Face token classifiers). Scores start at zero, so an untrained CRF decodes like the argmax of the
/// emissions. Like every module here it opens no dispose scope: intermediates belong to the caller's. Decoding lives in <see cref="Inference.CrfDecoder"/> so every backend shares it.
/// </summary>
internal sealed class LinearChainCrf : nn.Module
{
    [ComponentName(Name = "transitions")]
    private readonly Parameter _transitions;

    [ComponentName(Name = "start_transitions")]
    private readonly Parameter _startTransitions;

    [ComponentName(Name = "end_transitions")]
    private readonly Parameter _endTransitions;

    /// <summary>Creates a CRF over <paramref name="labelCount"/> labels with all scores zero.</summary>
    public LinearChainCrf(int labelCount)
        : base("LinearChainCrf")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(labelCount, 1);
        LabelCount = labelCount;
        _transitions = ParameterFactory.Create(zeros(labelCount, labelCount));
        _startTransitions = ParameterFactory.Create(zeros(labelCount));
        _endTransitions = ParameterFactory.Create(zeros(labelCount));
        RegisterComponents();
    }

    /// <summary>Number of labels.</summary>
    public int LabelCount { get; }

    /// <summary>[L, L]: the score of label <c>to</c> (column) following label <c>from</c> (row).</summary>
    public Tensor Transitions => _transitions;

    /// <summary>[L]: the score of a sentence starting with each label.</summary>
    public Tensor StartTransitions => _startTransitions;

    /// <summary>[L]: the score of a sentence ending with each label.</summary>
    public Tensor EndTransitions => _endTransitions;

    /// <summary>
    /// Mean negative log-likelihood over the sentences of a batch, the CRF running over each row's word
    /// positions (labels other than <see cref="Models.TaskModel.IgnoreIndex"/>) in order; or null when no row has one.
    /// </summary>
    /// <param name="logits">[B, T, L] subword emissions.</param>
    /// <param name="labels">[B, T] label ids; <see cref="Models.TaskModel.IgnoreIndex"/> marks non-word positions.</param>
    public Tensor? NegativeLogLikelihood(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        (Tensor emissions, Tensor tags, Tensor mask) = WordPositions(logits, labels);
        using (emissions)
        using (tags)
        using (mask)
        {
            using Tensor lengths = mask.sum(1); // [B]
            using Tensor rows = lengths.gt(0);
            if (!rows.any().item<bool>())
            {
                return null;
            }

            using Tensor logZ = LogPartition(emissions, mask);
            using Tensor score = PathScore(emissions, tags, mask);
            using Tensor nll = logZ.sub(score);
            using Tensor kept = nll.masked_select(rows);
            return kept.mean();
        }
    }

    /// <summary>
    /// Compacts each row's word positions to the front, in order: emissions [B, W, L], tags [B, W] (0 past the
    /// row's end) and a left-aligned mask [B, W], where W is the most words in a row.
    /// </summary>
    public static (Tensor Emissions, Tensor Tags, Tensor Mask) WordPositions(Tensor logits, Tensor labels)
    {
        long batch = labels.shape[0];
        long length = labels.shape[1];
        using Tensor isWord = labels.ne(Models.TaskModel.IgnoreIndex); // [B, T]
        using Tensor positions = arange(length, device: labels.device).unsqueeze(0).expand(batch, length);

        // Non-word positions sort after every word position; a stable order keeps the words in sentence order.
        using Tensor key = positions.add(isWord.logical_not().to_type(ScalarType.Int64).mul(length));
        using Tensor order = key.argsort(dim: 1);
        long words = Math.Max(1, isWord.sum(1).max().item<long>());
        using Tensor index = order.narrow(1, 0, words); // [B, W]
        Tensor mask = isWord.gather(1, index);
        using Tensor gathered = labels.gather(1, index);
        Tensor tags = gathered.masked_fill(mask.logical_not(), 0);
        using Tensor expanded = index.unsqueeze(2).expand(batch, words, logits.shape[2]);
        Tensor emissions = logits.gather(1, expanded);
        return (emissions, tags, mask);
    }

    /// <summary>log Z per row by the forward algorithm in log space.</summary>
    /// <param name="emissions">[B, W, L].</param>
    /// <param name="mask">[B, W] left-aligned word mask.</param>
    /// <returns>[B]; rows without words get logsumexp(start + end) and should be left out by the caller.</returns>
    public Tensor LogPartition(Tensor emissions, Tensor mask)
    {
        long words = emissions.shape[1];
        Tensor alpha = _startTransitions.add(emissions.select(1, 0)); // [B, L]
        Tensor transitions = _transitions.unsqueeze(0); // [1, L(from), L(to)]
        for (long t = 1; t < words; t++)
        {
            Tensor next = alpha.unsqueeze(2).add(transitions).add(emissions.select(1, t).unsqueeze(1)).logsumexp(1); // [B, L]
            alpha = where(mask.select(1, t).unsqueeze(1), next, alpha);
        }

        return alpha.add(_endTransitions).logsumexp(1);
    }

    /// <summary>The unnormalised score of the given tag path per row: start, emissions, transitions and end.</summary>
    /// <param name="emissions">[B, W, L].</param>
    /// <param name="tags">[B, W] label ids (any valid id past the row's end).</param>
    /// <param name="mask">[B, W] left-aligned word mask.</param>
    /// <returns>[B].</returns>
    public Tensor PathScore(Tensor emissions, Tensor tags, Tensor mask)
    {
        long words = emissions.shape[1];
        Tensor weights = mask.to_type(emissions.dtype); // [B, W]
        Tensor emitted = emissions.gather(2, tags.unsqueeze(2)).squeeze(2).mul(weights).sum(1); // [B]
        Tensor score = _startTransitions.index_select(0, tags.select(1, 0)).add(emitted);
        if (words > 1)
        {
            Tensor from = tags.narrow(1, 0, words - 1);
            Tensor to = tags.narrow(1, 1, words - 1);
            Tensor steps = _transitions.reshape(-1).index_select(0, from.mul(LabelCount).add(to).reshape(-1)).reshape(from.shape); // [B, W-1]
            score = score.add(steps.mul(weights.narrow(1, 1, words - 1)).sum(1));
        }

        Tensor last = mask.sum(1).sub(1).clamp_min(0); // [B]
        Tensor lastTags = tags.gather(1, last.unsqueeze(1)).squeeze(1);
        return score.add(_endTransitions.index_select(0, lastTags));
    }
}
