using System.Text;

namespace NerClassify.Tests.Checkpoints.Fixtures;

/// <summary>Writes a safetensors file from a raw JSON header and data buffer, so a test can break any rule of the spec.</summary>
internal static class SafetensorsWriter
{
    public static void Write(string path, string headerJson, byte[] data)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        using FileStream file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)header.Length));
        file.Write(header);
        file.Write(data);
    }

    /// <summary>Little-endian float32 bytes of <paramref name="values"/>.</summary>
    public static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
