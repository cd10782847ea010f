using static TorchSharp.torch;

namespace NerClassify.Checkpoints;

/// <summary>Fills CPU tensors with raw little-endian bytes from a stream, in bounded chunks.</summary>
internal static class TensorBytes
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>Element width of the dtypes checkpoints store.</summary>
    public static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a checkpoint dtype."),
    };

    /// <summary>
    /// Reads exactly the bytes of <paramref name="target"/> (a contiguous 1-D CPU tensor) from
    /// <paramref name="stream"/>, never asking it for more.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The stream ends first; <paramref name="what"/> names the data.</exception>
    public static void Fill(Tensor target, Stream stream, string what)
    {
        int width = ElementSize(target.dtype);
        long elements = target.NumberOfElements;
        int chunkElements = ChunkBytes / width;
        byte[] buffer = new byte[(int)Math.Min(ChunkBytes, elements * width)];
        for (long start = 0; start < elements; start += chunkElements)
        {
            int count = (int)Math.Min(chunkElements, elements - start);
            Span<byte> chunk = buffer.AsSpan(0, count * width);
            int read = stream.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
            if (read < chunk.Length)
            {
                throw new CheckpointFormatException($"is truncated: {what} ends after {(start * width) + read} of its {elements * width} bytes");
            }

            using Tensor slice = target.narrow(0, start, count);
            slice.bytes = chunk;
        }
    }
}
