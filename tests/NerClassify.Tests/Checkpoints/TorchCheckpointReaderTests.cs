using System.IO.Compression;
using FluentAssertions;
using NerClassify.Checkpoints;
using NerClassify.Checkpoints.Pickle;
using NerClassify.Tests.Checkpoints.Fixtures;
using NerClassify.Tests.TestSupport;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NerClassify.Tests.Checkpoints;

/// <summary>The restricted torch.save reader (issue 17, items 13, 16 and 17) on hand-built zip and legacy files.</summary>
[Collection(TorchCollection.Name)]
public sealed class TorchCheckpointReaderTests : IDisposable
{
    private static readonly float[] Counting = Enumerable.Range(0, 24).Select(i => (float)i).ToArray();

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Read_LegacyFormat_ReadsEveryTensor()
    {
        string path = _folder.File("pytorch_model.bin");
        TorchSaveWriter.WriteLegacy(
            path,
            [new("a.weight", "0", 0, [2, 3], [3, 1]), new("b.bias", "1", 0, [4], [1])],
            [new("0", Counting[..6]), new("1", [7, 8, 9, 10])]);

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state = CheckpointFiles.Read(path);

        state.Keys.Should().BeEquivalentTo(["a.weight", "b.bias"]);
        Values(state["a.weight"]).Should().Equal(0, 1, 2, 3, 4, 5);
        state["a.weight"].shape.Should().Equal(2, 3);
        Values(state["b.bias"]).Should().Equal(7, 8, 9, 10);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_NonContiguousTensor_FollowsItsStrides(bool legacy)
    {
        // A [3, 2] transpose of a row-major [2, 3] storage: stride (1, 3).
        string path = Write(legacy, [new("t", "0", 0, [3, 2], [1, 3])], [new("0", Counting[..6])]);

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state = CheckpointFiles.Read(path);

        state["t"].shape.Should().Equal(3, 2);
        Values(state["t"]).Should().Equal(0, 3, 1, 4, 2, 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_ViewsOfOneStorage_GiveEachSliceAndTiedWeights(bool legacy)
    {
        // q, k and v sliced from one fused [3*2, 4] storage, plus two names tied to the same weight.
        TensorSpec[] tensors =
        [
            new("q", "fused", 0, [2, 4], [4, 1]),
            new("k", "fused", 8, [2, 4], [4, 1]),
            new("v", "fused", 16, [2, 4], [4, 1]),
            new("embeddings.weight", "tied", 0, [2, 2], [2, 1]),
            new("decoder.weight", "tied", 0, [2, 2], [2, 1]),
        ];
        string path = Write(legacy, tensors, [new("fused", Counting), new("tied", [1, 2, 3, 4])]);

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state = CheckpointFiles.Read(path);

        Values(state["q"]).Should().Equal(Counting[..8]);
        Values(state["k"]).Should().Equal(Counting[8..16]);
        Values(state["v"]).Should().Equal(Counting[16..24]);
        Values(state["decoder.weight"]).Should().Equal(Values(state["embeddings.weight"]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_StorageSpanningSeveralChunks_ReadsEveryValue(bool legacy)
    {
        float[] values = Enumerable.Range(0, 700_001).Select(i => (float)i).ToArray();
        string path = Write(legacy, [new("big", "0", 1, [values.Length - 1], [1])], [new("0", values)]);

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state = CheckpointFiles.Read(path);

        Values(state["big"]).Should().Equal(values[1..]);
    }

    [Fact]
    public void Read_ArbitraryGlobal_IsRefusedNamingItWithoutClaimingCorruption()
    {
        string path = _folder.File("pytorch_model.bin");
        byte[] pickle = new PickleWriter().Proto()
            .Global("posix", "system").Mark().Str("echo pwned").Tuple().Reduce().Stop().ToArray();
        WriteZipWithPickle(path, pickle);

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"*{path}*posix.system*")
            .Which.Message.Should().NotContain("corrupt");
    }

    [Fact]
    public void Read_TruncatedZip_NamesTheFile()
    {
        string path = _folder.File("pytorch_model.bin");
        TinyBert.Encoder().save_py(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*zip*");
    }

    [Fact]
    public void Read_StorageMissingFromArchive_NamesTheEntry()
    {
        string path = _folder.File("pytorch_model.bin");
        using (var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create))
        {
            TorchSaveWriter.Add(zip, "archive/data.pkl", TorchSaveWriter.StateDictPickle([new("w", "7", 0, [2], [1])], [new("7", [1, 2])], legacy: false));
        }

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*archive/data/7*");
    }

    [Fact]
    public void Read_UnknownStorageType_SaysSo()
    {
        string path = _folder.File("pytorch_model.bin");
        TorchSaveWriter.WriteZip(path, [new("w", "0", 0, [2], [1])], [new("0", [1, 2])], storageType: "ComplexFloatStorage");

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*unknown storage type*ComplexFloatStorage*");
    }

    [Fact]
    public void Read_ZipBombEntry_IsRefusedWithoutDecompressingIt()
    {
        // The pickle declares 4 floats but the entry inflates to 200 MB of zeros (about 200 KB on disk).
        string path = _folder.File("pytorch_model.bin");
        using (var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create))
        {
            TorchSaveWriter.Add(zip, "archive/data.pkl", TorchSaveWriter.StateDictPickle([new("w", "0", 0, [4], [1])], [new("0", new float[4])], legacy: false));
            TorchSaveWriter.Add(zip, "archive/data/0", new byte[200 << 20], CompressionLevel.SmallestSize);
        }

        long before = GC.GetTotalMemory(forceFullCollection: true);
        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*archive/data/0*");
        (GC.GetTotalMemory(forceFullCollection: true) - before).Should().BeLessThan(50 << 20);
    }

    [Fact]
    public void Read_StorageLargerThanTheBudget_IsRefusedBeforeAllocating()
    {
        string path = _folder.File("pytorch_model.bin");
        byte[] pickle = TorchSaveWriter.StateDictPickle([new("w", "0", 0, [4], [1])], [new("0", new float[4])], legacy: false);
        WriteZipWithPickle(path, PatchNumel(pickle, 4, 1L << 40));

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*declares 4398046511104 bytes*");
    }

    [Fact]
    public void Read_ViewBeyondItsStorage_IsRefused()
    {
        string path = Write(legacy: false, [new("w", "0", 2, [3], [1])], [new("0", [1, 2, 3])]);

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*reaches element 4 of a 3-element storage*");
    }

    [Fact]
    public void Read_PickleStackBeyondTheBound_IsRefused()
    {
        var pickle = new PickleWriter().Proto().Mark();
        for (int i = 0; i <= RestrictedUnpickler.MaxStack; i++)
        {
            pickle.None();
        }

        string path = _folder.File("pytorch_model.bin");
        WriteZipWithPickle(path, pickle.Tuple().Stop().ToArray());

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*stack grows past*");
    }

    [Fact]
    public void Read_PickleMemoBeyondTheBound_IsRefused()
    {
        var pickle = new PickleWriter().Proto().None();
        for (int i = 0; i <= RestrictedUnpickler.MaxMemo; i++)
        {
            pickle.Put(i + 256);
        }

        string path = _folder.File("pytorch_model.bin");
        WriteZipWithPickle(path, pickle.Stop().ToArray());

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*memo grows past*");
    }

    [Fact]
    public void Read_PickleBombOfSharedReferences_IsRefusedWithinAMemoryBound()
    {
        // Each tuple holds its predecessor twice: 2^20000 leaves if expanded, 20,000 objects if not.
        const byte tuple2 = 0x86, pop = 0x30;
        var pickle = new PickleWriter().Proto().None().Put(0).Op(pop);
        for (int i = 1; i <= 20_000; i++)
        {
            pickle.Get(i - 1).Get(i - 1).Op(tuple2).Put(i).Op(pop);
        }

        string path = _folder.File("pytorch_model.bin");
        WriteZipWithPickle(path, pickle.Get(20_000).Stop().ToArray());
        long before = GC.GetTotalMemory(forceFullCollection: true);

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*not a state dict*");
        (GC.GetTotalMemory(forceFullCollection: true) - before).Should().BeLessThan(50 << 20);
    }

    [Fact]
    public void Read_PyBridgeCheckpoint_MatchesTheModel()
    {
        string path = _folder.File("pytorch_model.bin");
        using var encoder = TinyBert.Encoder(seed: 9);
        encoder.save_py(path);

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state = CheckpointFiles.Read(path);

        foreach ((string name, Tensor expected) in encoder.state_dict())
        {
            Values(state[name]).Should().Equal(Values(expected), name);
        }
    }

    private static float[] Values(Tensor tensor) => tensor.contiguous().data<float>().ToArray();

    // Rewrites the BININT1 numel of the first persistent id (…'cpu' then the int) as a LONG1.
    private static byte[] PatchNumel(byte[] pickle, byte numel, long replacement)
    {
        byte[] cpu = [0x58, 3, 0, 0, 0, (byte)'c', (byte)'p', (byte)'u', 0x4b, numel];
        int at = pickle.AsSpan().IndexOf(cpu) + cpu.Length - 2;
        byte[] value = new PickleWriter().Long(replacement).ToArray();
        return [.. pickle[..at], .. value, .. pickle[(at + 2)..]];
    }

    private static void WriteZipWithPickle(string path, byte[] pickle)
    {
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        TorchSaveWriter.Add(zip, "archive/data.pkl", pickle);
    }

    private string Write(bool legacy, TensorSpec[] tensors, StorageSpec[] storages)
    {
        string path = _folder.File("pytorch_model.bin");
        if (legacy)
        {
            TorchSaveWriter.WriteLegacy(path, tensors, storages);
        }
        else
        {
            TorchSaveWriter.WriteZip(path, tensors, storages);
        }

        return path;
    }
}
