using System.IO.Compression;
using System.Numerics;
using System.Text;
using static TorchSharp.torch;

namespace NerClassify.Checkpoints.Pickle;

/// <summary>
/// Reads a state dict saved by <c>torch.save</c>, in either format it has used: the zip archive of PyTorch 1.6+
/// (<c>&lt;name&gt;/data.pkl</c> and one <c>&lt;name&gt;/data/&lt;key&gt;</c> entry per storage) and the legacy
/// stream (magic number, protocol version and system-info pickles, the state-dict pickle, a pickled list of
/// storage keys, then each storage as an 8-byte element count and its raw bytes). Tensors are rebuilt the way
/// <c>torch._utils._rebuild_tensor_v2</c> does, as strided views of their storage, so non-contiguous tensors,
/// storage offsets and tensors sharing one storage (tied weights, fused q/k/v) all load.
/// </summary>
/// <remarks>
/// Only tensor rebuild functions, storage types and <c>OrderedDict</c> may be named by the pickle. Every size is
/// checked before it is allocated: a zip entry must hold exactly the bytes its storage declares and is never
/// decompressed further (a zip bomb stops there), the storages together must fit the caller's byte budget (and,
/// in the legacy format, where they follow the pickles uncompressed, the file), and a view must lie within its storage.
/// </remarks>
internal sealed class TorchCheckpointReader : IPickleGlobals
{
    private const string Torch = "torch";
    private const string TorchUtils = "torch._utils";
    private const int MaxDimensions = 64;
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    private const long LegacyProtocolVersion = 1001;

    private static readonly Dictionary<string, ScalarType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = ScalarType.Float32,
        ["DoubleStorage"] = ScalarType.Float64,
        ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16,
        ["LongStorage"] = ScalarType.Int64,
        ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16,
        ["CharStorage"] = ScalarType.Int8,
        ["ByteStorage"] = ScalarType.Byte,
        ["BoolStorage"] = ScalarType.Bool,
        ["UntypedStorage"] = ScalarType.Byte,
    };

    private readonly long _byteBudget;
    private readonly Func<string, long, ScalarType, Tensor>? _loadZipStorage;
    private readonly Dictionary<string, Tensor> _storages = new(StringComparer.Ordinal);
    private long _declaredBytes;

    private TorchCheckpointReader(long byteBudget, Func<string, long, ScalarType, Tensor>? loadZipStorage)
    {
        _byteBudget = byteBudget;
        _loadZipStorage = loadZipStorage;
    }

    /// <summary>Reads every tensor of a <c>torch.save</c> state dict, as CPU tensors in the current dispose scope.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxTensorBytes">The most bytes of tensor data the file may declare.</param>
    /// <exception cref="CheckpointFormatException">The file breaks the format or the allowlist; the message says how.</exception>
    /// <exception cref="PickleException">The pickle is malformed or names a refused global.</exception>
    public static Dictionary<string, Tensor> Read(string path, long maxTensorBytes)
    {
        using FileStream file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        int read = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 4 && magic.SequenceEqual("PK\x03\x04"u8)
            ? ReadZip(file, maxTensorBytes)
            : ReadLegacy(file, Math.Min(maxTensorBytes, file.Length));
    }

    /// <inheritdoc/>
    public bool IsAllowed(string module, string name) => (module, name) switch
    {
        ("collections", "OrderedDict") => true,
        (TorchUtils, "_rebuild_tensor_v2" or "_rebuild_tensor" or "_rebuild_parameter" or "_rebuild_parameter_with_state") => true,
        // Any storage type may be named, so that an unknown one is reported as such where it is used.
        (Torch, _) => name.EndsWith("Storage", StringComparison.Ordinal),
        ("torch.storage", "UntypedStorage") => true,
        _ => false,
    };

    /// <inheritdoc/>
    public object? Call(PickleGlobal callable, PickleTuple arguments)
    {
        switch (callable.Name)
        {
            case "OrderedDict":
                return NewOrderedDict(arguments);
            case "_rebuild_tensor_v2" when arguments.Count is >= 4 and <= 7:
            case "_rebuild_tensor" when arguments.Count == 4:
                return RebuildTensor(arguments);
            case "_rebuild_parameter" when arguments.Count == 3:
            case "_rebuild_parameter_with_state" when arguments.Count == 4:
                return arguments[0] as Tensor ?? throw new PickleException($"{callable.Name} is given a {TypeName(arguments[0])} instead of a tensor");
            default:
                throw new PickleException($"'{callable.Module}.{callable.Name}' cannot be called with {arguments.Count} arguments");
        }
    }

    /// <inheritdoc/>
    // An OrderedDict's BUILD state is its __dict__ (the state dict's _metadata): nothing a tensor needs.
    public bool Build(object? target, object? state) => target is PickleDict && state is PickleDict or null;

    /// <inheritdoc/>
    public object? PersistentLoad(object? id)
    {
        // Zip: ('storage', type, key, location, numel). Legacy: the same plus view_metadata.
        if (id is not PickleTuple { Count: 5 or 6 } tuple || tuple[0] is not "storage")
        {
            throw new PickleException($"a persistent id that is not a storage reference ({TypeName(id)})");
        }

        if (tuple[1] is not PickleGlobal { } type || !StorageTypes.TryGetValue(type.Name, out ScalarType dtype))
        {
            throw new CheckpointFormatException($"has an unknown storage type {Describe(tuple[1])}; known are {string.Join(", ", StorageTypes.Keys)}");
        }

        string key = tuple[2] as string ?? throw new PickleException($"a storage key that is a {TypeName(tuple[2])}, not a string");
        long numel = tuple[4] is long n and >= 0 ? n : throw new PickleException($"storage '{key}' has the size {Describe(tuple[4])}");
        if (!_storages.TryGetValue(key, out Tensor? storage))
        {
            storage = NewStorage(key, numel, dtype);
            _storages.Add(key, storage);
        }
        else if (storage.dtype != dtype || storage.NumberOfElements != numel)
        {
            throw new CheckpointFormatException($"declares storage '{key}' twice, as {storage.NumberOfElements} {storage.dtype} and as {numel} {dtype}");
        }

        if (tuple.Count == 6 && tuple[5] is PickleTuple { Count: 3 } view)
        {
            // Legacy view of a root storage: (view_key, offset, size), in elements.
            if (view[1] is not long offset || view[2] is not long size || offset < 0 || size < 0 || offset > numel - size)
            {
                throw new CheckpointFormatException($"has a view of storage '{key}' outside its {numel} elements");
            }

            return storage.narrow(0, offset, size);
        }

        if (tuple.Count == 6 && tuple[5] is not null)
        {
            throw new PickleException($"storage '{key}' has malformed view metadata ({TypeName(tuple[5])})");
        }

        return storage;
    }

    // System.IO.Compression reports a damaged archive (central directory, local headers, deflate data) with
    // InvalidDataException at any step, without the file name.
    private static Dictionary<string, Tensor> ReadZip(FileStream file, long maxTensorBytes)
    {
        try
        {
            return ReadZipArchive(file, maxTensorBytes);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException($"is a damaged or truncated zip archive: {e.Message}");
        }
    }

    private static Dictionary<string, Tensor> ReadZipArchive(FileStream file, long maxTensorBytes)
    {
        using (var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true))
        {
            ZipArchiveEntry[] pickles = zip.Entries
                .Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length)
                .ToArray();
            if (pickles.Length != 1)
            {
                throw new CheckpointFormatException(
                    $"is a zip archive with {pickles.Length} '<name>/data.pkl' entries; a torch.save archive has exactly one");
            }

            string prefix = pickles[0].FullName[..^"data.pkl".Length];
            if (zip.GetEntry(prefix + "byteorder") is { } byteOrder
                && Encoding.ASCII.GetString(ReadEntry(byteOrder, 16, "byteorder")).Trim() == "big")
            {
                throw new CheckpointFormatException("was saved on a big-endian machine, which is not supported");
            }

            byte[] pickle = ReadEntry(pickles[0], file.Length, "data.pkl");
            var reader = new TorchCheckpointReader(maxTensorBytes, (key, numel, dtype) => LoadZipStorage(zip, prefix, key, numel, dtype));
            return reader.ToStateDict(new RestrictedUnpickler(pickle, reader).Load());
        }
    }

    private static Tensor LoadZipStorage(ZipArchive zip, string prefix, string key, long numel, ScalarType dtype)
    {
        string name = prefix + "data/" + key;
        ZipArchiveEntry entry = zip.GetEntry(name)
            ?? throw new CheckpointFormatException($"lacks the entry '{name}' that holds storage '{key}'");
        long bytes = numel * TensorBytes.ElementSize(dtype);
        if (entry.Length != bytes)
        {
            throw new CheckpointFormatException(
                $"has {entry.Length} bytes in '{name}' but its pickle declares storage '{key}' as {numel} {dtype} ({bytes} bytes)");
        }

        Tensor storage = empty(numel, dtype);
        using Stream stream = OpenEntry(entry, name);
        TensorBytes.Fill(storage, stream, $"'{name}'");
        return storage;
    }

    private static Stream OpenEntry(ZipArchiveEntry entry, string name)
    {
        try
        {
            return entry.Open();
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            throw new CheckpointFormatException($"has an unreadable entry '{name}': {e.Message}");
        }
    }

    // Reads an entry whose declared size is at most `limit`, and never decompresses more than it declares.
    private static byte[] ReadEntry(ZipArchiveEntry entry, long limit, string what)
    {
        if (entry.Length > limit || entry.Length > Array.MaxLength)
        {
            throw new CheckpointFormatException($"has a '{what}' entry of {entry.Length} bytes, more than the {limit} allowed");
        }

        byte[] content = new byte[entry.Length];
        using Stream stream = OpenEntry(entry, entry.FullName);
        if (stream.ReadAtLeast(content, content.Length, throwOnEndOfStream: false) < content.Length)
        {
            throw new CheckpointFormatException($"is truncated: '{entry.FullName}' is shorter than the {content.Length} bytes it declares");
        }

        return content;
    }

    private static Dictionary<string, Tensor> ReadLegacy(FileStream file, long maxTensorBytes)
    {
        // The pickles come first and are small next to the storages that follow, so only a prefix is read,
        // grown when a pickle runs past it.
        int prefixLength = (int)Math.Min(file.Length, 16L << 20);
        while (true)
        {
            byte[] prefix = new byte[prefixLength];
            file.Position = 0;
            file.ReadExactly(prefix);
            var reader = new TorchCheckpointReader(maxTensorBytes, loadZipStorage: null);
            var unpickler = new RestrictedUnpickler(prefix, reader);
            try
            {
                return reader.ReadLegacy(file, unpickler);
            }
            catch (PickleException) when (unpickler.RanOutOfData && prefixLength < file.Length && prefixLength < Array.MaxLength)
            {
                prefixLength = (int)Math.Min(Math.Min(file.Length, Array.MaxLength), (long)prefixLength * 4);
            }
        }
    }

    private Dictionary<string, Tensor> ReadLegacy(FileStream file, RestrictedUnpickler unpickler)
    {
        if (!(unpickler.Load() is BigInteger magic && magic == LegacyMagic))
        {
            throw new CheckpointFormatException(
                "is neither a torch.save zip archive nor a legacy torch.save file (it lacks the magic number 0x1950a86a20f9469cfc6c)");
        }

        object? protocol = unpickler.Load();
        if (protocol is not LegacyProtocolVersion)
        {
            throw new CheckpointFormatException($"has the legacy protocol version {Describe(protocol)}; {LegacyProtocolVersion} is the only one");
        }

        if (unpickler.Load() is PickleDict sysInfo
            && sysInfo.Entries.Any(e => e.Key is "little_endian" && e.Value is false))
        {
            throw new CheckpointFormatException("was saved on a big-endian machine, which is not supported");
        }

        Dictionary<string, Tensor> state = ToStateDict(unpickler.Load());
        if (unpickler.Load() is not List<object?> keys || keys.Any(k => k is not string))
        {
            throw new CheckpointFormatException("lacks the list of storage keys that follows the legacy state-dict pickle");
        }

        file.Position = unpickler.Position;
        Span<byte> count = stackalloc byte[8];
        foreach (string key in keys.Cast<string>())
        {
            Tensor storage = _storages.GetValueOrDefault(key)
                ?? throw new CheckpointFormatException($"lists storage '{key}', which no tensor uses");
            if (file.ReadAtLeast(count, 8, throwOnEndOfStream: false) < 8)
            {
                throw new CheckpointFormatException($"is truncated: storage '{key}' is missing");
            }

            long numel = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(count);
            if (numel != storage.NumberOfElements)
            {
                throw new CheckpointFormatException($"stores {numel} elements for storage '{key}', which its pickle declares as {storage.NumberOfElements}");
            }

            TensorBytes.Fill(storage, file, $"storage '{key}'");
        }

        string[] unfilled = _storages.Keys.Except(keys.Cast<string>(), StringComparer.Ordinal).ToArray();
        if (unfilled.Length > 0)
        {
            throw new CheckpointFormatException($"has no data for storage '{unfilled[0]}'");
        }

        return state;
    }

    private static string TypeName(object? value) => value?.GetType().Name ?? "None";

    private static string Describe(object? value) => value switch
    {
        null => "None",
        PickleGlobal g => $"'{g.Module}.{g.Name}'",
        string s => $"'{s}'",
        long or BigInteger => value.ToString()!,
        _ => value.GetType().Name,
    };

    private static PickleDict NewOrderedDict(PickleTuple arguments)
    {
        var dict = new PickleDict();
        if (arguments.Count == 0)
        {
            return dict;
        }

        if (arguments.Count == 1 && arguments[0] is List<object?> or PickleTuple)
        {
            IEnumerable<object?> pairs = arguments[0] is PickleTuple tuple ? tuple.Items : (List<object?>)arguments[0]!;
            foreach (object? pair in pairs)
            {
                (object? key, object? value) = pair switch
                {
                    PickleTuple { Count: 2 } kv => (kv[0], kv[1]),
                    List<object?> { Count: 2 } kv => (kv[0], kv[1]),
                    _ => throw new PickleException("OrderedDict is given an item that is not a (key, value) pair"),
                };
                dict.Add(key, value);
            }

            return dict;
        }

        throw new PickleException($"OrderedDict is called with {arguments.Count} arguments ({string.Join(", ", arguments.Items.Select(TypeName))})");
    }

    private Tensor NewStorage(string key, long numel, ScalarType dtype)
    {
        long bytes = (long)Int128.Min(long.MaxValue, (Int128)numel * TensorBytes.ElementSize(dtype));
        _declaredBytes = (long)Int128.Min(long.MaxValue, (Int128)_declaredBytes + bytes);
        if (_declaredBytes > _byteBudget)
        {
            throw new CheckpointFormatException(
                $"declares {_declaredBytes} bytes of tensor data (storage '{key}' alone {bytes}), more than the {_byteBudget} bytes "
                + "this file can hold or the model's configuration allows");
        }

        return _loadZipStorage is null ? empty(numel, dtype) : _loadZipStorage(key, numel, dtype);
    }

    private static Tensor RebuildTensor(PickleTuple arguments)
    {
        if (arguments[0] is not Tensor storage)
        {
            throw new PickleException($"a tensor is rebuilt from a {TypeName(arguments[0])} instead of a storage");
        }

        long offset = arguments[1] is long o and >= 0 ? o : throw new CheckpointFormatException($"has a tensor with the storage offset {Describe(arguments[1])}");
        long[] size = Longs(arguments[2], "size");
        long[] stride = Longs(arguments[3], "stride");
        if (size.Length != stride.Length)
        {
            throw new CheckpointFormatException($"has a tensor with {size.Length} sizes but {stride.Length} strides");
        }

        // The last element the view touches must lie inside the storage.
        Int128 last = offset;
        bool empty = false;
        for (int i = 0; i < size.Length; i++)
        {
            empty |= size[i] == 0;
            last += (Int128)(size[i] - 1) * stride[i];
        }

        long storageLength = storage.NumberOfElements;
        if (!empty && last >= storageLength)
        {
            throw new CheckpointFormatException(
                $"has a tensor of size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}] and offset {offset} "
                + $"that reaches element {last} of a {storageLength}-element storage");
        }

        if (empty && offset > storageLength)
        {
            throw new CheckpointFormatException($"has an empty tensor at offset {offset} of a {storageLength}-element storage");
        }

        return storage.as_strided(size, stride, offset);
    }

    private static long[] Longs(object? value, string what)
    {
        if (value is not PickleTuple { Count: <= MaxDimensions } tuple)
        {
            throw new CheckpointFormatException($"has a tensor whose {what} is {Describe(value)}, not a tuple of at most {MaxDimensions} integers");
        }

        var longs = new long[tuple.Count];
        for (int i = 0; i < longs.Length; i++)
        {
            longs[i] = tuple[i] is long l and >= 0 ? l : throw new CheckpointFormatException($"has a tensor with the {what} {Describe(tuple[i])} in dimension {i}");
        }

        return longs;
    }

    private Dictionary<string, Tensor> ToStateDict(object? root)
    {
        if (root is not PickleDict dict)
        {
            throw new CheckpointFormatException($"holds a {TypeName(root)}, not a state dict (a dict of tensors)");
        }

        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach ((object? key, object? value) in dict.Entries)
        {
            string name = key as string ?? throw new CheckpointFormatException($"has a state-dict key that is a {TypeName(key)}, not a string");
            if (value is not Tensor tensor)
            {
                throw new CheckpointFormatException($"has the entry '{name}' of type {TypeName(value)}, not a tensor");
            }

            // One pickled tensor under two names (memoized) becomes two handles, so each can be disposed.
            state[name] = seen.Add(tensor) ? tensor : tensor.detach();
        }

        return state;
    }
}
