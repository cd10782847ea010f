using System.Runtime.InteropServices;
using NerClassify.Checkpoints.Pickle;
using static TorchSharp.torch;

namespace NerClassify.Checkpoints;

/// <summary>Reads and writes state dictionaries in the Hugging Face file formats.</summary>
internal static class CheckpointFiles
{
    /// <summary>The preferred weights file of a Hugging Face model directory.</summary>
    public const string SafetensorsFile = IO.ModelFiles.Safetensors;

    /// <summary>The legacy PyTorch weights file of a Hugging Face model directory.</summary>
    public const string PyTorchFile = IO.ModelFiles.PyTorchWeights;

    /// <summary>The default bound on a checkpoint's tensor data: two billion parameters in float64.</summary>
    public const long DefaultMaxTensorBytes = 16_000_000_000;

    /// <summary>The weights file of <paramref name="directory"/>: safetensors first, then the PyTorch pickle.</summary>
    /// <exception cref="FileNotFoundException">Neither exists.</exception>
    public static string FindWeights(string directory)
    {
        string safetensors = Path.Combine(directory, SafetensorsFile);
        if (File.Exists(safetensors))
        {
            return safetensors;
        }

        string pytorch = Path.Combine(directory, PyTorchFile);
        if (File.Exists(pytorch))
        {
            return pytorch;
        }

        throw new FileNotFoundException($"'{directory}' has no weights: neither {SafetensorsFile} nor {PyTorchFile} exists.", safetensors);
    }

    /// <summary>
    /// Like <see cref="Read"/>, but the tensors belong to no dispose scope; the caller disposes them. Lets a
    /// loader build its modules outside any scope: a TorchSharp <c>Embedding</c> built inside one loses its
    /// registered weight (from <c>state_dict</c> and <c>parameters</c>) when the scope ends.
    /// </summary>
    public static Dictionary<string, Tensor> ReadUnscoped(string path, long maxTensorBytes = DefaultMaxTensorBytes)
    {
        using (NewDisposeScope())
        {
            Dictionary<string, Tensor> state = Read(path, maxTensorBytes);
            foreach (Tensor tensor in state.Values)
            {
                tensor.DetachFromDisposeScope();
            }

            return state;
        }
    }

    /// <summary>
    /// Reads every tensor of a <c>.safetensors</c> file or a PyTorch <c>.bin</c> (zip or legacy <c>torch.save</c>
    /// format), on the CPU, in the current dispose scope. Both readers validate the file before allocating.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxTensorBytes">The most bytes of tensor data the file may declare; checked before anything is allocated.</param>
    /// <exception cref="InvalidDataException">The file is truncated, breaks its format, names a refused global or declares more than <paramref name="maxTensorBytes"/>; the message names the file and what is wrong.</exception>
    public static Dictionary<string, Tensor> Read(string path, long maxTensorBytes = DefaultMaxTensorBytes)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        }

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state;
        try
        {
            state = path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
                ? SafetensorsReader.Read(path)
                : TorchCheckpointReader.Read(path, maxTensorBytes);
        }
        catch (CheckpointFormatException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' {e.Message}.", e);
        }
        catch (PickleException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has a pickle this reader refuses: {e.Message}.", e);
        }
        catch (ExternalException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' could not be loaded into memory: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated: {e.Message}", e);
        }

        foreach (Tensor tensor in state.Values)
        {
            tensor.MoveToOuterDisposeScope();
        }

        return state;
    }

    /// <summary>Writes tensors as safetensors (copied to the CPU where needed; the inputs are not disposed).</summary>
    public static void WriteSafetensors(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var scope = NewDisposeScope();

        // detach() gives a new handle even when nothing moves, so the scope never frees a model's parameter.
        var portable = tensors.ToDictionary(p => p.Key, p => p.Value.detach().cpu().contiguous());
        using FileStream stream = File.Create(path);
        SafetensorsFileWriter.Write(stream, portable);
    }
}
