using System.Buffers.Binary;
using System.Collections;
using System.Text.Json;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NerClassify.Checkpoints;

/// <summary>Reads and writes state dictionaries in the Hugging Face file formats.</summary>
internal static class CheckpointFiles
{
    /// <summary>The preferred weights file of a Hugging Face model directory.</summary>
    public const string SafetensorsFile = "model.safetensors";

    /// <summary>The legacy PyTorch weights file of a Hugging Face model directory.</summary>
    public const string PyTorchFile = "pytorch_model.bin";

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
    public static Dictionary<string, Tensor> ReadUnscoped(string path)
    {
        using (NewDisposeScope())
        {
            Dictionary<string, Tensor> state = Read(path);
            foreach (Tensor tensor in state.Values)
            {
                tensor.DetachFromDisposeScope();
            }

            return state;
        }
    }

    /// <summary>Reads every tensor of a <c>.safetensors</c> or PyTorch <c>.bin</c> file, on the CPU.</summary>
    /// <exception cref="InvalidDataException">The file is truncated or not in the expected format; the message names it.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        }

        try
        {
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            {
                CheckSafetensorsLength(path);
                return Safetensors.LoadStateDict(path);
            }

            Hashtable table = PyTorchUnpickler.UnpickleStateDict(path);
            return table.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (Tensor)e.Value!);
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' could not be read (corrupt, truncated or not a PyTorch/safetensors file): {e.Message}", e);
        }
    }

    /// <summary>Writes tensors as safetensors (copied to the CPU where needed; the inputs are not disposed).</summary>
    public static void WriteSafetensors(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var scope = NewDisposeScope();

        // detach() gives a new handle even when nothing moves, so the scope never frees a model's parameter.
        var portable = tensors.ToDictionary(p => p.Key, p => p.Value.detach().cpu().contiguous());
        Safetensors.SaveStateDict(path, portable);
    }

    /// <summary>
    /// Checks that the data the header promises fits in the file, so a truncated download gets a message
    /// that says so instead of a reader error from deep inside.
    /// </summary>
    private static void CheckSafetensorsLength(string path)
    {
        using FileStream stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated: it is shorter than the 8-byte safetensors header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(stream.Length - 8))
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated: its header claims {headerLength} bytes but the file has {stream.Length - 8} after the length.");
        }

        byte[] header = new byte[headerLength];
        stream.ReadExactly(header);
        long end = 0;
        try
        {
            using JsonDocument json = JsonDocument.Parse(header);
            foreach (JsonProperty entry in json.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.Object && entry.Value.TryGetProperty("data_offsets", out JsonElement offsets))
                {
                    end = Math.Max(end, offsets[1].GetInt64());
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has a corrupt safetensors header: {e.Message}", e);
        }

        long available = stream.Length - 8 - (long)headerLength;
        if (end > available)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated: its tensors need {end} bytes of data but only {available} are present.");
        }
    }
}
