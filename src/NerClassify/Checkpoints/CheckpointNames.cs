using NerClassify.Tokenization;
using NerClassify.Encoders;
using static TorchSharp.torch;

namespace NerClassify.Checkpoints;

/// <summary>
/// The names a task model's tensors take in the files it is saved to: Hugging Face's, where the encoder sits under
/// <c>bert.</c> or, for RoBERTa and XLM-RoBERTa, <c>roberta.</c>. <see cref="StateDictLoader"/> reads both back.
/// </summary>
internal static class CheckpointNames
{
    /// <summary>The state dictionary of a task model with the encoder's keys renamed for its model type.</summary>
    /// <param name="state">The model's <c>state_dict()</c>; the tensors are passed through, not copied.</param>
    /// <param name="modelType">The encoder's <c>model_type</c>.</param>
    public static IEnumerable<KeyValuePair<string, Tensor>> ForFile(IEnumerable<KeyValuePair<string, Tensor>> state, string modelType)
    {
        string key = EncoderFamily.CheckpointKey(modelType);
        if (key == EncoderFamily.ModuleKey)
        {
            return state;
        }

        string modulePrefix = EncoderFamily.ModuleKey + ".";
        return state.Select(p => p.Key.StartsWith(modulePrefix, StringComparison.Ordinal)
            ? KeyValuePair.Create(key + "." + p.Key[modulePrefix.Length..], p.Value)
            : p);
    }
}
