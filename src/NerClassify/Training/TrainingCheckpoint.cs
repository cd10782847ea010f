using System.Text.Json;
using NerClassify.Checkpoints;
using NerClassify.IO;
using NerClassify.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NerClassify.Training;

/// <summary>
/// The rolling training checkpoint, <c>CHECKPOINTS/latest/</c>: the weights, the optimiser state, the
/// <see cref="TrainerState"/> and, while the last epochs are averaged, the running average. The one place its file
/// names are spelled; it is replaced atomically after every epoch.
/// </summary>
internal static class TrainingCheckpoint
{
    /// <summary>The subfolder of <see cref="TrainerOptions.CheckpointDirectory"/> that holds the checkpoint.</summary>
    public const string LatestFolder = Trainer.LatestCheckpointFolder;

    /// <summary>The weights.</summary>
    public const string ModelFile = ModelFiles.Safetensors;

    /// <summary>The optimiser state.</summary>
    public const string OptimizerFile = "optimizer.bin";

    /// <summary>The <see cref="TrainerState"/> as JSON.</summary>
    public const string StateFile = "trainer_state.json";

    /// <summary>The running average of the last epochs' weights.</summary>
    public const string AverageFile = "average.safetensors";

    /// <summary>Whether <paramref name="directory"/> holds a checkpoint's state file.</summary>
    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, StateFile));

    /// <summary>The path of the state file in <paramref name="directory"/>, for messages.</summary>
    public static string StatePath(string directory) => Path.Combine(directory, StateFile);

    /// <summary>Writes the checkpoint into <paramref name="directory"/>, replacing the previous one atomically.</summary>
    public static void Save(string directory, TaskModel model, OptimizerHelper optimizer, TrainerState state, Dictionary<string, Tensor>? average)
    {
        AtomicDirectory.Replace(directory, staging =>
        {
            CheckpointFiles.WriteSafetensors(Path.Combine(staging, ModelFile), model.state_dict());
            if (average is not null)
            {
                CheckpointFiles.WriteSafetensors(Path.Combine(staging, AverageFile), average);
            }

            optimizer.save_state_dict(Path.Combine(staging, OptimizerFile));
            File.WriteAllText(Path.Combine(staging, StateFile), state.ToJson());
        });
    }

    /// <summary>Reads the run state of the checkpoint in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">The state file is not valid; the message names it.</exception>
    public static TrainerState ReadState(string directory)
    {
        string statePath = StatePath(directory);
        try
        {
            return TrainerState.FromJson(File.ReadAllText(statePath));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{statePath}' is not a valid trainer state: {e.Message}", e);
        }
    }

    /// <summary>Loads the weights into <paramref name="model"/> and the optimiser state, and returns the run state and the running average (the caller disposes it).</summary>
    /// <exception cref="InvalidDataException">The state file is not valid, or an average is promised but missing; the message names the file.</exception>
    public static (TrainerState State, Dictionary<string, Tensor>? Average) Load(string directory, TaskModel model, OptimizerHelper optimizer)
    {
        TrainerState state = ReadState(directory);
        using (NewDisposeScope())
        {
            string weights = Path.Combine(directory, ModelFile);
            StateDictLoader.Load(model, CheckpointFiles.Read(weights), weights);
        }

        optimizer.load_state_dict(Path.Combine(directory, OptimizerFile));
        if (state.AveragedEpochs == 0)
        {
            return (state, null);
        }

        string averagePath = Path.Combine(directory, AverageFile);
        if (!File.Exists(averagePath))
        {
            throw new InvalidDataException($"'{directory}' averages {state.AveragedEpochs} epochs but has no {AverageFile}.");
        }

        using (NewDisposeScope())
        {
            var average = CheckpointFiles.Read(averagePath).ToDictionary(p => p.Key, p => p.Value.clone().DetachFromDisposeScope());
            return (state, average);
        }
    }
}
