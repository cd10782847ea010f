using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace NerClassify.Checkpoints;

/// <summary>
/// Writes the safetensors format: an 8-byte little-endian header length, a JSON header with each tensor's dtype,
/// shape and <c>data_offsets</c> plus <c>__metadata__</c>, then the tensors' bytes, contiguous and in key order.
/// The metadata carries <c>{"format": "pt"}</c>, which Hugging Face transformers checks when it loads the file.
/// </summary>
internal static class SafetensorsFileWriter
{
    private static readonly Dictionary<ScalarType, (string Name, int Size)> DTypes = new()
    {
        [ScalarType.Float64] = ("F64", 8),
        [ScalarType.Float32] = ("F32", 4),
        [ScalarType.Float16] = ("F16", 2),
        [ScalarType.BFloat16] = ("BF16", 2),
        [ScalarType.Int64] = ("I64", 8),
        [ScalarType.Int32] = ("I32", 4),
        [ScalarType.Int16] = ("I16", 2),
        [ScalarType.Int8] = ("I8", 1),
        [ScalarType.Byte] = ("U8", 1),
        [ScalarType.Bool] = ("BOOL", 1),
    };

    /// <summary>Writes CPU-contiguous <paramref name="tensors"/> to <paramref name="stream"/>.</summary>
    /// <exception cref="NotSupportedException">A tensor's element type has no safetensors name.</exception>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors)
    {
        string[] keys = tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            json.WriteString("format", "pt");
            json.WriteEndObject();
            long offset = 0;
            foreach (string key in keys)
            {
                Tensor tensor = tensors[key];
                (string name, int size) = DTypes.TryGetValue(tensor.dtype, out var type) ? type
                    : throw new NotSupportedException($"Tensor '{key}' has element type {tensor.dtype}, which safetensors cannot store.");
                long bytes = tensor.numel() * size;
                json.WriteStartObject(key);
                json.WriteString("dtype", name);
                json.WriteStartArray("shape");
                foreach (long dimension in tensor.shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }

            json.WriteEndObject();
        }

        // The header is padded with spaces to a multiple of 8 bytes, as the reference writer does, so the data is aligned.
        int padding = (int)((8 - (header.Length % 8)) % 8);
        header.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (string key in keys)
        {
            Tensor tensor = tensors[key];
            stream.Write(tensor.bytes);
        }
    }
}
