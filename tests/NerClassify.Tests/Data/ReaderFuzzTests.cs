using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using FluentAssertions;
using NerClassify.Data;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Data;

/// <summary>
/// Both readers on random bytes and on random mutations of small valid files: they return a result or throw a
/// <see cref="FormatException"/> whose message starts with <c>file:line</c>, never another exception.
/// </summary>
public sealed partial class ReaderFuzzTests : IDisposable
{
    private const string ConllSample =
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\ncall NN I-NP O\n. . O O\n\n"
        + "Peter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\nZürich NNP B-NP S-LOC\n";

    private static readonly string LabelSample =
        $"{SentenceLabelFile.Header}\n0\tWorld\tEU rejects German call .\n1\tPeople\tPeter Blackburn\n\n2\tPlaces\tZürich\n";

    private static readonly byte[] Interesting =
        [.. "\n\r\t -BIESO0123456789"u8, 0x00, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF8, 0xFE, 0xFF];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ConllReader_RandomBytes_ReadsOrThrowsFormatExceptionWithFileAndLine()
    {
        RandomBytes().Sample(bytes => CheckConll(bytes), iter: 300, threads: 1);
    }

    [Fact]
    public void ConllReader_MutatedFile_ReadsOrThrowsFormatExceptionWithFileAndLine()
    {
        Mutations(Encoding.UTF8.GetBytes(ConllSample)).Sample(bytes => CheckConll(bytes), iter: 500, threads: 1);
    }

    [Fact]
    public void SentenceLabelFile_RandomBytes_ReadsOrThrowsFormatExceptionWithFileAndLine()
    {
        RandomBytes().Sample(bytes => CheckLabels(bytes), iter: 300, threads: 1);
    }

    [Fact]
    public void SentenceLabelFile_MutatedFile_ReadsOrThrowsFormatExceptionWithFileAndLine()
    {
        Mutations(Encoding.UTF8.GetBytes(LabelSample)).Sample(bytes => CheckLabels(bytes), iter: 500, threads: 1);
    }

    private static Gen<byte[]> RandomBytes() =>
        Gen.Frequency((1, Gen.Byte), (1, Gen.OneOf(Interesting))).Array[0, 300];

    // Each mutation overwrites, inserts or deletes a few bytes, drawn mostly from bytes that matter to the formats.
    private static Gen<byte[]> Mutations(byte[] sample) =>
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, sample.Length - 1], Gen.Frequency((1, Gen.Byte), (3, Gen.OneOf(Interesting))).Array[1, 4])
            .Array[1, 6]
            .Select(edits =>
            {
                var bytes = new List<byte>(sample);
                foreach ((int kind, int at, byte[] value) in edits)
                {
                    int position = Math.Min(at, bytes.Count);
                    switch (kind)
                    {
                        case 0:
                            for (int k = 0; k < value.Length && position + k < bytes.Count; k++)
                            {
                                bytes[position + k] = value[k];
                            }

                            break;
                        case 1:
                            bytes.InsertRange(position, value);
                            break;
                        default:
                            bytes.RemoveRange(position, Math.Min(value.Length, bytes.Count - position));
                            break;
                    }
                }

                return bytes.ToArray();
            });

    private void CheckConll(byte[] bytes)
    {
        string path = WriteTemp(bytes, ".conll");
        try
        {
            var reader = new ConllReader();
            _ = reader.ReadAsync(path).ToBlockingEnumerableList();
            _ = reader.LoadAsync(path).GetAwaiter().GetResult();
        }
        catch (FormatException e)
        {
            ExpectFileAndLine(e, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private void CheckLabels(byte[] bytes)
    {
        string path = WriteTemp(bytes, ".tsv");
        try
        {
            var rows = SentenceLabelFile.LoadAsync(path).GetAwaiter().GetResult();
            var sentences = new[]
            {
                new ConllSentence(["EU", "rejects", "German", "call", "."], ["B-ORG", "O", "B-MISC", "O", "O"], 0, 0, 1),
                new ConllSentence(["Peter", "Blackburn"], ["B-PER", "I-PER"], 1, 0, 8),
                new ConllSentence(["Zürich"], ["S-LOC"], 2, 0, 11),
            };
            _ = SentenceLabelFile.Join(sentences, rows, path);
        }
        catch (FormatException e)
        {
            ExpectFileAndLine(e, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void ExpectFileAndLine(FormatException e, string path)
    {
        e.Message.Should().StartWith(path + ":");
        LineNumber().IsMatch(e.Message[(path.Length + 1)..]).Should().BeTrue(e.Message);
        e.Message.Length.Should().BeLessThan(2_000);
    }

    private string WriteTemp(byte[] bytes, string extension)
    {
        string path = _temp.File(Guid.NewGuid().ToString("N") + extension);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [GeneratedRegex(@"^[1-9][0-9]*: ")]
    private static partial Regex LineNumber();
}
