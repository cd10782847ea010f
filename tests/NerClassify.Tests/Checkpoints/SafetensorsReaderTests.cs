using FluentAssertions;
using NerClassify.Checkpoints;
using NerClassify.Tests.Checkpoints.Fixtures;
using NerClassify.Tests.TestSupport;
using static TorchSharp.torch;

namespace NerClassify.Tests.Checkpoints;

/// <summary>Safetensors headers that break the spec are refused as the reference implementation does (issue 17, item 14).</summary>
[Collection(TorchCollection.Name)]
public sealed class SafetensorsReaderTests : IDisposable
{
    private static readonly byte[] TwoPairs = SafetensorsWriter.Floats(1, 2, 3, 4);

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Read_ValidFile_ReadsTensorsWhateverTheHeaderOrder()
    {
        string path = Write("""{"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}""", TwoPairs);

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state = CheckpointFiles.Read(path);

        state["a"].shape.Should().Equal(1, 2);
        state["a"].data<float>().ToArray().Should().Equal(1, 2);
        state["b"].data<float>().ToArray().Should().Equal(3, 4);
    }

    [Fact]
    public void Read_TensorSpanningSeveralChunks_ReadsEveryValueInPlace()
    {
        float[] values = Enumerable.Range(0, 700_001).Select(i => (float)i).ToArray();
        string path = Write(
            $$$"""{"small":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"big":{"dtype":"F32","shape":[{{{values.Length}}}],"data_offsets":[4,{{{4 + (values.Length * 4)}}}]}}""",
            [.. SafetensorsWriter.Floats(-1), .. SafetensorsWriter.Floats(values)]);

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state = CheckpointFiles.Read(path);

        state["big"].data<float>().ToArray().Should().Equal(values);
        state["small"].data<float>().ToArray().Should().Equal(-1);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", "*'b'*overlaps 'a'*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "*overlaps*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", "*'b'*data_offsets*-8*non-negative*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", "*'a' twice*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", "*'b'*gap after 'a'*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "*16 bytes of tensor data but its tensors cover only 8*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", "*'a' no 'data_offsets'*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[16]}}""", "*'a' 1 'data_offsets' values*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}""", "*'a'*shape [3]*needs 12 bytes*hold 16*")]
    [InlineData("""{"a":{"dtype":"F8_E4M3","shape":[16],"data_offsets":[0,16]}}""", "*'a'*dtype 'F8_E4M3'*not supported*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "*'a'*end before they begin*")]
    [InlineData("""["a"]""", "*does not start with '{'*")]
    public void Read_HeaderBreakingTheSpec_IsRefusedNamingFileAndTensor(string header, string message)
    {
        string path = Write(header, TwoPairs);

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*").WithMessage(message);
    }

    [Fact]
    public void Read_HugeHeaderLength_IsRefusedBeforeAllocating()
    {
        string path = _folder.File("model.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(ulong.MaxValue / 2), .. TwoPairs]);

        Action act = () => CheckpointFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*header*limit*");
    }

    private string Write(string header, byte[] data)
    {
        string path = _folder.File("model.safetensors");
        SafetensorsWriter.Write(path, header, data);
        return path;
    }
}
