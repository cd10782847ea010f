using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NerClassify.Tests.Checkpoints.Fixtures;

/// <summary>One float32 storage of a hand-built checkpoint.</summary>
internal sealed record StorageSpec(string Key, float[] Data);

/// <summary>One tensor: a strided view of a storage, as <c>torch._utils._rebuild_tensor_v2</c> receives it.</summary>
internal sealed record TensorSpec(string Name, string StorageKey, long Offset, long[] Size, long[] Stride);

/// <summary>
/// Writes state dicts in the two layouts of <c>torch.save</c> (torch/serialization.py): the zip archive
/// (<c>archive/data.pkl</c>, <c>archive/version</c>, <c>archive/data/&lt;key&gt;</c>) and the legacy stream (magic
/// number, protocol version, sys_info, the state-dict pickle, the sorted storage keys, then each storage as an
/// int64 element count and its raw bytes).
/// </summary>
internal static class TorchSaveWriter
{
    public static readonly BigInteger LegacyMagic = BigInteger.Parse("01950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);

    /// <summary>The state-dict pickle: an OrderedDict of _rebuild_tensor_v2 calls with persistent storage ids.</summary>
    public static byte[] StateDictPickle(IReadOnlyList<TensorSpec> tensors, IReadOnlyList<StorageSpec> storages, bool legacy, string storageType = "FloatStorage")
    {
        var pickle = new PickleWriter().Proto()
            .Global("collections", "OrderedDict").EmptyTuple().Reduce().Put(0)
            .Mark();
        foreach (TensorSpec tensor in tensors)
        {
            int numel = storages.Single(s => s.Key == tensor.StorageKey).Data.Length;
            pickle.Str(tensor.Name)
                .Global("torch._utils", "_rebuild_tensor_v2")
                .Mark()
                .Mark().Str("storage").Global("torch", storageType).Str(tensor.StorageKey).Str("cpu").Int(numel);
            if (legacy)
            {
                pickle.None();
            }

            pickle.Tuple().PersistentId()
                .Int(tensor.Offset)
                .IntTuple(tensor.Size)
                .IntTuple(tensor.Stride)
                .Bool(false)
                .Global("collections", "OrderedDict").EmptyTuple().Reduce()
                .Tuple()
                .Reduce();
        }

        // torch.save of a state dict also pickles its _metadata attribute as BUILD state.
        return pickle.SetItems()
            .EmptyDict().Str("_metadata").Global("collections", "OrderedDict").EmptyTuple().Reduce().SetItem().Build()
            .Stop().ToArray();
    }

    public static void WriteZip(string path, IReadOnlyList<TensorSpec> tensors, IReadOnlyList<StorageSpec> storages, string storageType = "FloatStorage")
    {
        using FileStream file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        Add(zip, "archive/data.pkl", StateDictPickle(tensors, storages, legacy: false, storageType));
        Add(zip, "archive/version", "3\n"u8.ToArray());
        foreach (StorageSpec storage in storages)
        {
            Add(zip, $"archive/data/{storage.Key}", MemoryMarshal.AsBytes(storage.Data.AsSpan()).ToArray());
        }
    }

    public static void WriteLegacy(string path, IReadOnlyList<TensorSpec> tensors, IReadOnlyList<StorageSpec> storages)
    {
        using FileStream file = File.Create(path);
        file.Write(new PickleWriter().Proto().Long(LegacyMagic).Stop().ToArray());
        file.Write(new PickleWriter().Proto().Int(1001).Stop().ToArray());
        file.Write(new PickleWriter().Proto().EmptyDict()
            .Mark()
            .Str("protocol_version").Int(1001)
            .Str("little_endian").Bool(true)
            .Str("type_sizes").EmptyDict().Mark().Str("short").Int(2).Str("int").Int(4).Str("long").Int(8).SetItems()
            .SetItems().Stop().ToArray());
        file.Write(StateDictPickle(tensors, storages, legacy: true));
        StorageSpec[] sorted = storages.OrderBy(s => s.Key, StringComparer.Ordinal).ToArray();
        var keys = new PickleWriter().Proto().EmptyList().Mark();
        foreach (StorageSpec storage in sorted)
        {
            keys.Str(storage.Key);
        }

        file.Write(keys.Appends().Stop().ToArray());
        foreach (StorageSpec storage in sorted)
        {
            file.Write(BitConverter.GetBytes((long)storage.Data.Length));
            file.Write(MemoryMarshal.AsBytes(storage.Data.AsSpan()));
        }
    }

    public static void Add(ZipArchive zip, string name, byte[] content, CompressionLevel level = CompressionLevel.NoCompression)
    {
        using Stream entry = zip.CreateEntry(name, level).Open();
        entry.Write(content);
    }
}
