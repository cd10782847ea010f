using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace NerClassify.Checkpoints;

/// <summary>
/// Reads a <c>.safetensors</c> file after validating its header the way the reference implementation
/// (<c>huggingface/safetensors</c>) does: the header is at most 100 MB of JSON starting with <c>{</c>; each
/// tensor has a known dtype, a shape and two <c>data_offsets</c>; sorted by offset the tensors are contiguous
/// and non-overlapping, each spans exactly shape × element size bytes, and together they cover the whole data
/// buffer. Names must be unique. Nothing is allocated before the whole header passes.
/// </summary>
internal static class SafetensorsReader
{
    /// <summary>The reference implementation's header limit.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private static readonly Dictionary<string, ScalarType> DTypes = new(StringComparer.Ordinal)
    {
        ["F64"] = ScalarType.Float64,
        ["F32"] = ScalarType.Float32,
        ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16,
        ["I64"] = ScalarType.Int64,
        ["I32"] = ScalarType.Int32,
        ["I16"] = ScalarType.Int16,
        ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte,
        ["BOOL"] = ScalarType.Bool,
    };

    /// <summary>Reads every tensor, on the CPU, in the current dispose scope.</summary>
    /// <exception cref="CheckpointFormatException">The file breaks the format; the message names the tensor and the rule.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using FileStream stream = File.OpenRead(path);
        (List<Entry> entries, long dataStart) = ReadHeader(stream);
        var state = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        foreach (Entry entry in entries)
        {
            Tensor tensor = empty(entry.Shape, entry.DType);
            state.Add(entry.Name, tensor);
            stream.Position = dataStart + entry.Start;
            using Tensor flat = tensor.view(-1);
            TensorBytes.Fill(flat, stream, $"tensor '{entry.Name}'");
        }

        return state;
    }

    private static (List<Entry> Entries, long DataStart) ReadHeader(FileStream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
        {
            throw new CheckpointFormatException("is truncated: it is shorter than the 8-byte safetensors header length");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw new CheckpointFormatException($"claims a {headerLength}-byte safetensors header, more than the {MaxHeaderBytes}-byte limit");
        }

        if (headerLength > (ulong)(stream.Length - 8))
        {
            throw new CheckpointFormatException($"is truncated: its header claims {headerLength} bytes but the file has {stream.Length - 8} after the length");
        }

        byte[] header = new byte[headerLength];
        stream.ReadExactly(header);
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            throw new CheckpointFormatException("has a safetensors header that does not start with '{'");
        }

        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            throw new CheckpointFormatException("has a safetensors header that is not valid UTF-8");
        }

        List<Entry> entries;
        try
        {
            using JsonDocument json = JsonDocument.Parse(header);
            entries = ParseEntries(json.RootElement);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException($"has a corrupt safetensors header: {e.Message}");
        }

        long dataStart = 8 + (long)headerLength;
        long available = stream.Length - dataStart;
        long end = ValidateOffsets(entries);
        if (end > available)
        {
            throw new CheckpointFormatException($"is truncated: its tensors need {end} bytes of data but only {available} are present");
        }

        if (end < available)
        {
            throw new CheckpointFormatException($"has {available} bytes of tensor data but its tensors cover only {end}; the offsets must cover the whole buffer");
        }

        return (entries, dataStart);
    }

    private static List<Entry> ParseEntries(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException("has a safetensors header that is not a JSON object");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                throw new CheckpointFormatException($"names the tensor '{property.Name}' twice in its safetensors header");
            }

            if (property.Name == MetadataKey)
            {
                if (property.Value.ValueKind != JsonValueKind.Object || property.Value.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
                {
                    throw new CheckpointFormatException($"has a '{MetadataKey}' entry that is not a map of strings");
                }

                continue;
            }

            entries.Add(ParseEntry(property.Name, property.Value));
        }

        return entries;
    }

    private static Entry ParseEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException($"describes tensor '{name}' with a JSON {value.ValueKind} instead of an object");
        }

        if (!value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new CheckpointFormatException($"gives tensor '{name}' no dtype string");
        }

        string dtypeName = dtypeElement.GetString()!;
        if (!DTypes.TryGetValue(dtypeName, out ScalarType dtype))
        {
            throw new CheckpointFormatException($"gives tensor '{name}' the dtype '{dtypeName}', which is not supported (supported: {string.Join(", ", DTypes.Keys)})");
        }

        long[] shape = Integers(value, "shape", name, exactCount: null);
        long[] offsets = Integers(value, "data_offsets", name, exactCount: 2);
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] Integers(JsonElement value, string field, string name, int? exactCount)
    {
        if (!value.TryGetProperty(field, out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointFormatException($"gives tensor '{name}' no '{field}' array");
        }

        int count = array.GetArrayLength();
        if (exactCount is int exact && count != exact)
        {
            throw new CheckpointFormatException($"gives tensor '{name}' {count} '{field}' values; [begin, end] was expected");
        }

        if (count > 64)
        {
            throw new CheckpointFormatException($"gives tensor '{name}' a {count}-dimensional '{field}'");
        }

        var values = new long[count];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
            {
                throw new CheckpointFormatException($"gives tensor '{name}' the '{field}' value {item.GetRawText()}; non-negative integers were expected");
            }

            values[i++] = v;
        }

        return values;
    }

    // Sorted by offset, each tensor must start where the previous one ended and span exactly its size.
    private static long ValidateOffsets(List<Entry> entries)
    {
        entries.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End));
        long expectedStart = 0;
        string? previous = null;
        foreach (Entry entry in entries)
        {
            if (entry.End < entry.Start)
            {
                throw new CheckpointFormatException($"gives tensor '{entry.Name}' the data_offsets [{entry.Start}, {entry.End}], which end before they begin");
            }

            if (entry.Start != expectedStart)
            {
                string relation = entry.Start < expectedStart ? $"overlaps '{previous}'" : $"leaves a gap after {(previous is null ? "the header" : $"'{previous}'")}";
                throw new CheckpointFormatException(
                    $"gives tensor '{entry.Name}' the data_offsets [{entry.Start}, {entry.End}], which {relation} (it should begin at {expectedStart})");
            }

            Int128 bytes = TensorBytes.ElementSize(entry.DType);
            foreach (long dim in entry.Shape)
            {
                bytes *= dim;
                if (bytes > long.MaxValue)
                {
                    break;
                }
            }

            if (bytes != entry.End - entry.Start)
            {
                throw new CheckpointFormatException(
                    $"gives tensor '{entry.Name}' the shape [{string.Join(", ", entry.Shape)}] of {entry.DType}, which needs {bytes} bytes, "
                    + $"but data_offsets [{entry.Start}, {entry.End}] hold {entry.End - entry.Start}");
            }

            expectedStart = entry.End;
            previous = entry.Name;
        }

        return expectedStart;
    }

    private sealed record Entry(string Name, ScalarType DType, long[] Shape, long Start, long End);
}
