using System.Globalization;
using NerClassify.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NerClassify.Training;

/// <summary>
/// AdamW with one parameter group per (learning-rate scale, decay or not): weights decay, biases, LayerNorm and
/// loss weights do not; heads train at <see cref="TrainerOptions.HeadLearningRateMultiplier"/> times the rate and
/// encoder layers at powers of <see cref="TrainerOptions.LayerLearningRateDecay"/>.
/// </summary>
internal sealed class OptimizerGroups : IDisposable
{
    private const string EncoderPrefix = "bert.";
    private const string LayerPrefix = "bert.encoder.layer.";

    private readonly double[] _scales;

    private OptimizerGroups(OptimizerHelper optimizer, double[] scales)
    {
        Optimizer = optimizer;
        _scales = scales;
    }

    /// <summary>The optimiser.</summary>
    public OptimizerHelper Optimizer { get; }

    /// <summary>The learning rate of the unscaled groups (the schedule's current value).</summary>
    public double BaseLearningRate => Optimizer.ParamGroups.First().LearningRate / _scales[0];

    /// <summary>Groups the model's trainable parameters and creates the optimiser.</summary>
    public static OptimizerGroups Create(TaskModel model, TrainerOptions options)
    {
        int layerCount = model.Encoder.Config.NumHiddenLayers;
        var groups = new SortedDictionary<(double Scale, bool Decay), List<Parameter>>();
        foreach ((string name, Parameter parameter) in model.named_parameters().Where(p => p.parameter.requires_grad))
        {
            bool exempt = name.EndsWith("bias", StringComparison.Ordinal) || name.Contains("LayerNorm", StringComparison.Ordinal) || name.Contains("loss_log_variances", StringComparison.Ordinal);
            var key = (LearningRateScale(options, name, layerCount), !exempt);
            if (!groups.TryGetValue(key, out List<Parameter>? members))
            {
                groups[key] = members = [];
            }

            members.Add(parameter);
        }

        var paramGroups = groups.Select(g => new AdamW.ParamGroup(
            g.Value,
            new AdamW.Options { LearningRate = options.LearningRate * g.Key.Scale, weight_decay = g.Key.Decay ? options.WeightDecay : 0 })).ToArray();
        return new OptimizerGroups(optim.AdamW(paramGroups, options.LearningRate, weight_decay: options.WeightDecay), groups.Keys.Select(k => k.Scale).ToArray());
    }

    /// <summary>The multiple of the learning rate that the parameter <paramref name="name"/> trains at.</summary>
    public static double LearningRateScale(TrainerOptions options, string name, int layerCount)
    {
        if (!name.StartsWith(EncoderPrefix, StringComparison.Ordinal))
        {
            return options.HeadLearningRateMultiplier;
        }

        double decay = options.LayerLearningRateDecay;
        if (name.StartsWith(LayerPrefix, StringComparison.Ordinal))
        {
            int end = name.IndexOf('.', LayerPrefix.Length);
            int layer = int.Parse(name.AsSpan(LayerPrefix.Length, end - LayerPrefix.Length), CultureInfo.InvariantCulture);
            return Math.Pow(decay, layerCount - 1 - layer);
        }

        return name.StartsWith("bert.embeddings.", StringComparison.Ordinal) ? Math.Pow(decay, layerCount) : 1;
    }

    /// <summary>Sets every group to <paramref name="rate"/> times its scale.</summary>
    public void SetLearningRate(double rate)
    {
        int i = 0;
        foreach (ParamGroup group in Optimizer.ParamGroups)
        {
            group.LearningRate = rate * _scales[i++];
        }
    }

    /// <inheritdoc />
    public void Dispose() => Optimizer.Dispose();
}
