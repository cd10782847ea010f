using FluentAssertions;
using NerClassify.IO;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using NerClassify.Training;

namespace NerClassify.Tests.IO;

/// <summary>The save guarantees seen through the callers of <see cref="AtomicDirectory"/>: model directories and trainer checkpoints.</summary>
[Collection(TorchCollection.Name)]
public sealed class ModelSaveTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ModelDirectorySave_OverAModelWithOtherFiles_KeepsThemAndLoadsTheNewModel()
    {
        string directory = _temp.File("model");
        using (var first = new TokenClassificationModel(TinyBert.Encoder(seed: 1, addPooler: false), TinyData.TokenLabels))
        {
            ModelDirectory.Save(first, TinyBert.Vocabulary(), directory);
        }

        File.WriteAllText(Path.Combine(directory, "README.md"), "model card");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(directory, "eval")).FullName, "results.json"), "{}");
        using var second = new TokenClassificationModel(TinyBert.Encoder(seed: 2, addPooler: false), TinyData.TokenLabels);

        ModelDirectory.Save(second, TinyBert.Vocabulary(), directory);

        File.ReadAllText(Path.Combine(directory, "README.md")).Should().Be("model card");
        File.ReadAllText(Path.Combine(directory, "eval", "results.json")).Should().Be("{}");
        LoadedModel loaded = ModelDirectory.Load(directory);
        using TaskModel model = loaded.Model;
        Flatten(model).Should().Equal(Flatten(second));
    }

    [Fact]
    public async Task TrainerCheckpoint_DirectoryWithOtherFilesAndALeftover_KeepsTheFilesAndRemovesTheLeftover()
    {
        string checkpoints = _temp.File("run");
        string latest = Directory.CreateDirectory(Path.Combine(checkpoints, "latest")).FullName;
        File.WriteAllText(Path.Combine(latest, "notes.txt"), "kept");
        string leftover = Path.Combine(checkpoints, $"{SaveStaging.Prefix}latest.{Guid.NewGuid():N}");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(leftover).FullName, "model.safetensors"), "partial");
        using var model = new TokenClassificationModel(TinyBert.Encoder(seed: 3), TinyData.TokenLabels);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 6, Seed = 3, CheckpointDirectory = checkpoints, Compute = new ComputeOptions { Device = DeviceKind.Cpu } };

        await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), options);

        File.ReadAllText(Path.Combine(latest, "notes.txt")).Should().Be("kept");
        File.Exists(Path.Combine(latest, "model.safetensors")).Should().BeTrue();
        Directory.GetFileSystemEntries(checkpoints).Should().Equal(latest);
    }

    private static float[] Flatten(TaskModel model) =>
        model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
}
