using System.Runtime.InteropServices;
using System.Security.Cryptography;
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
    /// <returns>The file's SHA-256, lower-case hex: the weights fingerprint (<see cref="Fingerprint"/>).</returns>
    public static string WriteSafetensors(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var scope = NewDisposeScope();
        using FileStream stream = File.Create(path);
        return WriteHashed(stream, Portable(tensors));
    }

    /// <summary>
    /// The weights fingerprint of a state dictionary: the SHA-256 of the <c>model.safetensors</c> that
    /// <see cref="WriteSafetensors"/> would write for it, computed without writing a file. A saved model's
    /// <c>config.json</c> and its ONNX export both carry it, so a stale export is recognised.
    /// </summary>
    public static string Fingerprint(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var scope = NewDisposeScope();
        return WriteHashed(Stream.Null, Portable(tensors));
    }

    // detach() gives a new handle even when nothing moves, so the scope never frees a model's parameter.
    private static Dictionary<string, Tensor> Portable(IEnumerable<KeyValuePair<string, Tensor>> tensors) =>
        tensors.ToDictionary(p => p.Key, p => p.Value.detach().cpu().contiguous());

    private static string WriteHashed(Stream destination, Dictionary<string, Tensor> portable)
    {
        using var sha256 = SHA256.Create();
        using (var hashing = new CryptoStream(destination, sha256, CryptoStreamMode.Write, leaveOpen: true))
        {
            SafetensorsFileWriter.Write(hashing, portable);
            hashing.FlushFinalBlock();
        }

        return Convert.ToHexStringLower(sha256.Hash!);
    }
}
