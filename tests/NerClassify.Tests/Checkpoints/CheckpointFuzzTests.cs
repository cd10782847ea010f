using System.Diagnostics;
using CsCheck;
using FluentAssertions;
using NerClassify.Checkpoints;
using NerClassify.Checkpoints.Onnx;
using NerClassify.Tests.Checkpoints.Fixtures;
using NerClassify.Tests.TestSupport;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NerClassify.Tests.Checkpoints;

/// <summary>
/// Random mutations of real small checkpoints (issue 17, property tests): every reader either loads the file
/// or throws <see cref="InvalidDataException"/> naming it, and memory stays bounded across the run.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class CheckpointFuzzTests : IDisposable
{
    private const long MemoryBound = 1L << 30;
    private const int Iterations = 300;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Read_MutatedSafetensors_LoadsOrThrowsInvalidDataNamingTheFile()
    {
        string original = _folder.File("original.safetensors");
        CheckpointFiles.WriteSafetensors(original, TinyBert.Encoder(seed: 2).state_dict());

        CheckMutations(File.ReadAllBytes(original), _folder.File("model.safetensors"), ReadCheckpoint);
    }

    [Fact]
    public void Read_MutatedZipBin_LoadsOrThrowsInvalidDataNamingTheFile()
    {
        string original = _folder.File("original.bin");
        TinyBert.Encoder(seed: 3).save_py(original);

        CheckMutations(File.ReadAllBytes(original), _folder.File("pytorch_model.bin"), ReadCheckpoint);
    }

    [Fact]
    public void Read_MutatedHandWrittenZipBin_LoadsOrThrowsInvalidDataNamingTheFile()
    {
        // Uncompressed entries, so byte flips reach the pickle and the storages, not only the deflate streams.
        string original = _folder.File("original.bin");
        WriteSmallCheckpoint(original, legacy: false);

        CheckMutations(File.ReadAllBytes(original), _folder.File("pytorch_model.bin"), ReadCheckpoint);
    }

    [Fact]
    public void Read_MutatedLegacyBin_LoadsOrThrowsInvalidDataNamingTheFile()
    {
        string original = _folder.File("original.bin");
        WriteSmallCheckpoint(original, legacy: true);

        CheckMutations(File.ReadAllBytes(original), _folder.File("pytorch_model.bin"), ReadCheckpoint);
    }

    [Fact]
    public void Import_MutatedOnnx_LoadsOrThrowsInvalidData()
    {
        byte[] original = new OnnxTinyBertModelBuilder { IncludePooler = true }.ToStream().ToArray();

        CheckMutations(original, _folder.File("model.onnx"), path =>
        {
            using FileStream stream = File.OpenRead(path);
            OnnxBertImporter.Import(stream);
        }, requireFileName: false);
    }

    private static void ReadCheckpoint(string path)
    {
        using var scope = NewDisposeScope();
        CheckpointFiles.Read(path);
    }

    private static void WriteSmallCheckpoint(string path, bool legacy)
    {
        float[] fused = Enumerable.Range(0, 24).Select(i => i * 0.5f).ToArray();
        TensorSpec[] tensors =
        [
            new("q.weight", "0", 0, [2, 4], [4, 1]),
            new("k.weight", "0", 8, [2, 4], [4, 1]),
            new("v.weight", "0", 16, [4, 2], [1, 4]),
            new("bias", "1", 0, [3], [1]),
        ];
        StorageSpec[] storages = [new("0", fused), new("1", [1, 2, 3])];
        if (legacy)
        {
            TorchSaveWriter.WriteLegacy(path, tensors, storages);
        }
        else
        {
            TorchSaveWriter.WriteZip(path, tensors, storages);
        }
    }

    // Byte flips, truncations, insertions and deletions of the original, each written and read.
    private static void CheckMutations(byte[] original, string path, Action<string> read, bool requireFileName = true)
    {
        Gen<byte[]> flips = Gen.Select(Gen.Int[0, original.Length - 1].Array[1, 8], Gen.Byte.Array[8], (at, values) =>
        {
            byte[] copy = (byte[])original.Clone();
            for (int i = 0; i < at.Length; i++)
            {
                copy[at[i]] = values[i];
            }

            return copy;
        });
        Gen<byte[]> truncations = Gen.Int[0, original.Length - 1].Select(length => original[..length]);
        Gen<byte[]> insertions = Gen.Select(Gen.Int[0, original.Length], Gen.Byte.Array[1, 64], (at, bytes) => (byte[])[.. original[..at], .. bytes, .. original[at..]]);
        Gen<byte[]> deletions = Gen.Select(Gen.Int[0, original.Length - 1], Gen.Int[1, 64], (at, count) => (byte[])[.. original[..at], .. original[Math.Min(original.Length, at + count)..]]);
        Gen<byte[]> mutations = Gen.OneOf(flips, flips, truncations, insertions, deletions);

        long baseline = Process.GetCurrentProcess().WorkingSet64;
        long peak = baseline;
        mutations.Sample(
            bytes =>
            {
                File.WriteAllBytes(path, bytes);
                try
                {
                    read(path);
                }
                catch (InvalidDataException e) when (!requireFileName || e.Message.Contains(path, StringComparison.Ordinal))
                {
                    // Refused with a clear message: the expected outcome for most mutations.
                }

                peak = Math.Max(peak, Process.GetCurrentProcess().WorkingSet64);
            },
            iter: Iterations,
            threads: 1);

        (peak - baseline).Should().BeLessThan(MemoryBound, "a hostile file must not make the reader allocate gigabytes");
    }
}
