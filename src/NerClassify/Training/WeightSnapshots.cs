using NerClassify.Models;
using static TorchSharp.torch;

namespace NerClassify.Training;

/// <summary>Copies of a model's weights on the CPU: the best epoch, the running average of the last epochs, the starting weights of self-training.</summary>
internal static class WeightSnapshots
{
    /// <summary>A copy of the model's weights on the CPU (the caller disposes it).</summary>
    public static Dictionary<string, Tensor> Take(TaskModel model)
    {
        using var noGrad = no_grad();
        return model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().clone());
    }

    /// <summary>Frees the tensors of a snapshot.</summary>
    public static void DisposeAll(Dictionary<string, Tensor>? tensors)
    {
        foreach (Tensor tensor in tensors?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }
    }

    /// <summary>
    /// Folds the model's current weights into the running mean of <paramref name="count"/> epochs (the first call
    /// copies them). Floating-point tensors are averaged; any others keep the latest value.
    /// </summary>
    public static Dictionary<string, Tensor> AddToAverage(Dictionary<string, Tensor>? average, TaskModel model, int count)
    {
        if (average is null)
        {
            return Take(model);
        }

        using var noGrad = no_grad();
        foreach ((string name, Tensor weights) in model.state_dict())
        {
            Tensor mean = average[name];
            using Tensor current = weights.detach().cpu();
            if (mean.is_floating_point())
            {
                // mean += (current - mean) / count: the running mean, exact for any number of epochs.
                using Tensor step = current.sub(mean).div_(count);
                mean.add_(step);
            }
            else
            {
                mean.copy_(current);
            }
        }

        return average;
    }
}
