using System.Reflection;
using System.Text.Json.Nodes;
using NerClassify.Checkpoints;
using NerClassify.Configuration;
using NerClassify.Tokenization;
using TorchSharp;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Heads;
using NerClassify.IO;
using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>
/// Saves and loads fine-tuned models as a directory: <c>config.json</c> (the encoder's configuration, <c>id2label</c>
/// and the <see cref="ModelConfig"/> section), <c>model.safetensors</c>, <c>vocab.txt</c> and <c>tokenizer_config.json</c>.
/// Single-task models follow Hugging Face's <c>BertForTokenClassification</c> / <c>BertForSequenceClassification</c>
/// layout, so Python <c>transformers</c> loads them too; the multitask layout is in docs/model-format.md.
/// </summary>
internal static class ModelDirectory
{
    /// <summary>Writes the model, its vocabulary and its <see cref="TaskModel.Config"/> into <paramref name="directory"/>, atomically.</summary>
    public static void Save(TaskModel model, BertVocabulary vocabulary, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ModelConfig config = model.Config with
        {
            LowerCase = vocabulary.LowerCase,
            EncoderHasPooler = model.Encoder.HasPooler,
            LibraryVersion = typeof(ModelDirectory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
        };
        JsonObject encoderConfig = model.Encoder.Config.ToJsonNode(model.ArchitectureName);
        AtomicDirectory.Replace(directory, staging =>
        {
            // The weights' fingerprint goes into config.json, so that an ONNX export of earlier weights is refused.
            string fingerprint = CheckpointFiles.WriteSafetensors(Path.Combine(staging, ModelFiles.Safetensors), CheckpointNames.ForFile(model.state_dict(), model.Encoder.Config.ModelType));
            ModelConfigFile.Write(Path.Combine(staging, ModelFiles.Config), encoderConfig, config, fingerprint);
            vocabulary.Save(staging);
        });
    }

    /// <summary>Reads the configuration and vocabulary of a model directory, without its weights.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is invalid or the files disagree; the message names the file.</exception>
    public static (ModelConfig Config, BertConfig Encoder, BertVocabulary Vocabulary) ReadSettings(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model directory '{directory}' does not exist.");
        }

        string configPath = Path.Combine(directory, ModelFiles.Config);
        JsonObject root = ModelConfigFile.ReadObject(configPath);
        BertConfig bert = BertConfig.Load(configPath);
        BertVocabulary vocabulary = BertVocabulary.Load(directory);
        if (vocabulary.Tokens.Count > bert.VocabSize)
        {
            throw new InvalidDataException($"'{Path.Combine(directory, vocabulary.TokensFileName)}' has {vocabulary.Tokens.Count} tokens but '{configPath}' says vocab_size {bert.VocabSize}: the encoder could not embed the extra tokens.");
        }

        ModelConfig config = ModelConfigFile.Read(root, configPath, vocabulary.LowerCase);
        if (config.MaxLength > bert.MaxTokens)
        {
            throw new InvalidDataException(bert.PositionOffset == 0
                ? $"'{configPath}': max_length {config.MaxLength} exceeds the encoder's max_position_embeddings {bert.MaxPositionEmbeddings}."
                : $"'{configPath}': max_length {config.MaxLength} exceeds the encoder's {bert.MaxTokens} positions (max_position_embeddings {bert.MaxPositionEmbeddings} less the {bert.PositionOffset} that {bert.ModelType} reserves).");
        }

        return (config, bert, vocabulary);
    }

    /// <summary>Loads a directory written by <c>Save</c> (or a Hugging Face token/sequence classification directory).</summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or inconsistent (for example a label count that does not match the weights); the message names the file.</exception>
    /// <param name="directory">The model directory.</param>
    /// <param name="compute">The device to move the model to.</param>
    /// <param name="heads">Factories of the custom heads <c>config.json</c> may name.</param>
    public static LoadedModel Load(string directory, ComputeOptions? compute = null, HeadRegistry? heads = null)
    {
        (ModelConfig config, BertConfig bert, BertVocabulary vocabulary) = ReadSettings(directory);
        string configPath = Path.Combine(directory, ModelFiles.Config);
        string weights = CheckpointFiles.FindWeights(directory);
        Device device = (compute ?? ComputeOptions.Default).Apply();
        TaskModel? model = null;

        // Refuse a config whose parameters the weights file cannot hold before anything is allocated, and read no
        // more tensor bytes than the config can use.
        long budget = ModelSizeGuard.Check(bert, configPath, weights, new EncoderLoadOptions().MaxParameters, requireAllWeights: true);

        // The model is built outside any scope (an Embedding built inside one loses its registered weight when
        // the scope ends); the checkpoint's tensors belong to no scope and are disposed here.
        Dictionary<string, Tensor> state = CheckpointFiles.ReadUnscoped(weights, budget);
        try
        {
            try
            {
                model = TaskModels.Create(new BertEncoder(bert, config.EncoderHasPooler), config, heads, configPath);
            }
            catch (System.Runtime.InteropServices.ExternalException e)
            {
                throw new InvalidDataException($"'{configPath}' describes a model that could not be allocated: {e.Message}", e);
            }

            CheckHeads(model, state, configPath, weights);

            using (NewDisposeScope())
            {
                StateDictLoader.Load(model, state, weights);
            }

            model.to(device);
            model.eval();
            return new LoadedModel(model, vocabulary, config);
        }
        catch
        {
            model?.Dispose();
            throw;
        }
        finally
        {
            foreach (Tensor tensor in state.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>A label count that differs from the weights' is named in the files' terms before the strict loader's key report.</summary>
    private static void CheckHeads(TaskModel model, Dictionary<string, Tensor> state, string configPath, string weightsPath)
    {
        foreach ((string prefix, int count) in model.HeadOutputs())
        {
            if (state.TryGetValue(prefix + ".weight", out Tensor? weight) && weight.shape[0] != count)
            {
                throw new InvalidDataException($"'{configPath}' lists {count} labels for {prefix} but '{weightsPath}' has {weight.shape[0]} rows in {prefix}.weight.");
            }
        }
    }
}
