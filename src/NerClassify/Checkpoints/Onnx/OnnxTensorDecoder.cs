using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NerClassify.Checkpoints.Onnx;

/// <summary>
/// Decodes the payload of an ONNX <see cref="TensorProto"/> into managed arrays, from either the typed
/// repeated fields or <c>raw_data</c> (always little endian, per the ONNX spec).
/// </summary>
internal static class OnnxTensorDecoder
{
    // ONNX TensorProto.DataType values used here.
    private const int Float = 1;
    private const int Int32 = 6;
    private const int Int64 = 7;
    private const int Float16 = 10;
    private const int Double = 11;
    private const int BFloat16 = 16;

    /// <summary>Returns the tensor's dimensions as a new array, each checked to fit an <see cref="int"/>.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="name">The name to report in errors.</param>
    /// <returns>The dimensions, outermost first; empty for a scalar.</returns>
    /// <exception cref="InvalidDataException">A dimension is negative or larger than <see cref="int.MaxValue"/>, or their product overflows.</exception>
    public static long[] Dims(TensorProto tensor, string name)
    {
        ElementCount(tensor, name);
        return [.. tensor.Dims];
    }

    /// <summary>Decodes a floating-point tensor into float32 values in row-major order.</summary>
    /// <param name="tensor">The tensor; float32, float16, bfloat16 and float64 are accepted.</param>
    /// <param name="name">The name to report in errors.</param>
    /// <returns>The values; the length equals the product of the dimensions.</returns>
    /// <exception cref="InvalidDataException">The tensor is external, of another type, or its length is wrong.</exception>
    public static float[] ReadFloats(TensorProto tensor, string name)
    {
        ThrowIfExternal(tensor, name);
        long expected = ElementCount(tensor, name);
        ReadOnlySpan<byte> raw = tensor.RawData.Span;
        float[] values = tensor.DataType switch
        {
            Float when raw.Length > 0 => FromRawFloat32(raw, name),
            Float => [.. tensor.FloatData],
            Double when raw.Length > 0 => FromRaw(raw, sizeof(double), name, b => (float)BinaryPrimitives.ReadDoubleLittleEndian(b)),
            Double => [.. tensor.DoubleData.Select(d => (float)d)],
            Float16 when raw.Length > 0 => FromRaw(raw, 2, name, b => (float)BinaryPrimitives.ReadHalfLittleEndian(b)),
            // Without raw_data, float16 bits are carried in the low 16 bits of int32_data.
            Float16 => [.. tensor.Int32Data.Select(bits => (float)BitConverter.UInt16BitsToHalf((ushort)bits))],
            BFloat16 when raw.Length > 0 => FromRaw(raw, 2, name, b => BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b))),
            BFloat16 => [.. tensor.Int32Data.Select(bits => BFloat16ToSingle((ushort)bits))],
            _ => throw new InvalidDataException(
                $"ONNX tensor '{name}' has data type {tensor.DataType}; a floating-point tensor was expected."),
        };
        ThrowIfWrongLength(values.Length, expected, name);
        return values;
    }

    /// <summary>Decodes an integer tensor (int32 or int64) into int64 values, e.g. a Reshape target.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="name">The name to report in errors.</param>
    /// <returns>The values, or <see langword="null"/> when the tensor is not an integer tensor.</returns>
    /// <exception cref="InvalidDataException">The tensor is external or its length is wrong.</exception>
    public static long[]? TryReadInt64s(TensorProto tensor, string name)
    {
        ThrowIfExternal(tensor, name);
        ReadOnlySpan<byte> raw = tensor.RawData.Span;
        long[]? values = tensor.DataType switch
        {
            Int64 when raw.Length > 0 => FromRaw(raw, sizeof(long), name, BinaryPrimitives.ReadInt64LittleEndian),
            Int64 => [.. tensor.Int64Data],
            Int32 when raw.Length > 0 => FromRaw(raw, sizeof(int), name, b => (long)BinaryPrimitives.ReadInt32LittleEndian(b)),
            Int32 => [.. tensor.Int32Data.Select(v => (long)v)],
            _ => null,
        };
        if (values is not null)
        {
            ThrowIfWrongLength(values.Length, ElementCount(tensor, name), name);
        }

        return values;
    }

    /// <summary>Reads a tensor holding exactly one floating-point value, such as an epsilon constant.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="name">The name to report in errors.</param>
    /// <returns>The value, or <see langword="null"/> when the tensor is not a one-element float tensor.</returns>
    public static float? TryReadFloatScalar(TensorProto tensor, string name)
    {
        if (tensor.DataType is not (Float or Double or Float16 or BFloat16)
            || tensor.DataLocation == TensorProto.Types.DataLocation.External
            || ElementCount(tensor, name) != 1)
        {
            return null;
        }

        return ReadFloats(tensor, name)[0];
    }

    // Checked: a dimension of 2^32 must not wrap to 0 (and pass as an empty tensor) further on.
    private static long ElementCount(TensorProto tensor, string name)
    {
        long count = 1;
        foreach (long dim in tensor.Dims)
        {
            if (dim < 0 || dim > int.MaxValue)
            {
                throw new InvalidDataException(
                    $"ONNX tensor '{name}' has the dimension {dim} in [{string.Join(", ", tensor.Dims)}]; dimensions must lie in [0, {int.MaxValue}].");
            }

            count *= dim;
            if (count > Array.MaxLength)
            {
                throw new InvalidDataException(
                    $"ONNX tensor '{name}' has dimensions [{string.Join(", ", tensor.Dims)}] whose product exceeds {Array.MaxLength} elements.");
            }
        }

        return count;
    }

    private static float[] FromRawFloat32(ReadOnlySpan<byte> raw, string name)
    {
        ThrowIfRagged(raw.Length, sizeof(float), name);
        if (BitConverter.IsLittleEndian)
        {
            // Fast path: the bytes are already in host order.
            return MemoryMarshal.Cast<byte, float>(raw).ToArray();
        }

        return FromRaw(raw, sizeof(float), name, BinaryPrimitives.ReadSingleLittleEndian);
    }

    private static T[] FromRaw<T>(ReadOnlySpan<byte> raw, int width, string name, Func<ReadOnlySpan<byte>, T> read)
    {
        ThrowIfRagged(raw.Length, width, name);
        var values = new T[raw.Length / width];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = read(raw.Slice(i * width, width));
        }

        return values;
    }

    private static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    private static void ThrowIfExternal(TensorProto tensor, string name)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
        {
            throw new InvalidDataException(
                $"ONNX tensor '{name}' keeps its data in an external file, which is not supported; "
                + "re-export the model with the weights embedded.");
        }
    }

    private static void ThrowIfRagged(int byteLength, int width, string name)
    {
        if (byteLength % width != 0)
        {
            throw new InvalidDataException(
                $"ONNX tensor '{name}' has {byteLength} bytes of raw_data, not a multiple of the {width}-byte element size.");
        }
    }

    private static void ThrowIfWrongLength(long actual, long expected, string name)
    {
        if (actual != expected)
        {
            throw new InvalidDataException(
                $"ONNX tensor '{name}' holds {actual} values but its dimensions call for {expected}.");
        }
    }
}
