using NerClassify.Encoders.Bert;

namespace NerClassify.Checkpoints;

/// <summary>
/// Refuses a model before it is allocated when its <c>config.json</c> describes more parameters than the
/// caller allows, or more than its weights file can hold: a small file with a hostile config must never make
/// the process allocate gigabytes.
/// </summary>
internal static class ModelSizeGuard
{
    /// <summary>The fewest bytes a stored parameter takes (fp16/bf16).</summary>
    private const int MinBytesPerParameter = 2;

    /// <summary>The most bytes a stored parameter takes (fp64).</summary>
    private const int MaxBytesPerParameter = 8;

    /// <summary>
    /// Checks the parameter count of <paramref name="config"/> and returns the most tensor bytes its checkpoint
    /// may declare (room for every parameter in float64, twice over for heads and tied copies).
    /// </summary>
    /// <param name="config">The validated configuration.</param>
    /// <param name="configPath">Its file, for messages.</param>
    /// <param name="weightsPath">The weights file.</param>
    /// <param name="maxParameters">The most parameters allowed.</param>
    /// <param name="requireAllWeights">Whether the weights file must hold every parameter (strict loading).</param>
    /// <exception cref="InvalidDataException">The model is too large for the limit or for the weights file; the message names both files and the config fields.</exception>
    public static long Check(BertConfig config, string configPath, string weightsPath, long maxParameters, bool requireAllWeights)
    {
        Int128 parameters = config.CountParameters();
        if (parameters > maxParameters)
        {
            throw new InvalidDataException(
                $"'{configPath}' describes a model of {parameters:N0} parameters, more than the limit of {maxParameters:N0} "
                + $"(EncoderLoadOptions.MaxParameters): {Breakdown(config)}.");
        }

        long fileBytes = LengthOf(weightsPath);
        if (requireAllWeights && parameters * MinBytesPerParameter > fileBytes)
        {
            throw new InvalidDataException(
                $"'{weightsPath}' has {fileBytes:N0} bytes but '{configPath}' describes {parameters:N0} parameters, which need at least "
                + $"{parameters * MinBytesPerParameter:N0} bytes even in fp16/bf16; the config does not match the weights ({Breakdown(config)}).");
        }

        return (long)Int128.Min(CheckpointFiles.DefaultMaxTensorBytes, (2 * MaxBytesPerParameter * parameters) + (1 << 20));
    }

    // Opened rather than stat'ed: in the Hugging Face cache the weights file is a symbolic link to a blob,
    // and FileInfo.Length would give the link's own length.
    private static long LengthOf(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return stream.Length;
    }

    private static string Breakdown(BertConfig config) =>
        $"vocab_size {config.VocabSize} + max_position_embeddings {config.MaxPositionEmbeddings} + type_vocab_size {config.TypeVocabSize} "
        + $"embeddings of hidden_size {config.HiddenSize}, then num_hidden_layers {config.NumHiddenLayers} layers of "
        + $"{config.CountLayerParameters():N0} parameters each (intermediate_size {config.IntermediateSize})";
}
