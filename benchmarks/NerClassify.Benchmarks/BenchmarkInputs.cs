namespace NerClassify.Benchmarks;

/// <summary>Deterministic token ids shaped like real sentences: [CLS] words [SEP], no padding.</summary>
internal static class BenchmarkInputs
{
    public const int Threads = 2;

    /// <summary>The CoNLL-2003 tags in IOB2.</summary>
    public static readonly string[] TokenLabels = ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER"];

    /// <summary>The report's five topics.</summary>
    public static readonly string[] Topics = ["World", "Sport", "Business", "Technology", "Other"];

    public static long[] Ids(int batch, int length, int vocabularySize = 30522, int seed = 7)
    {
        var random = new Random(seed);
        long[] ids = new long[batch * length];
        for (int row = 0; row < batch; row++)
        {
            for (int column = 0; column < length; column++)
            {
                ids[(row * length) + column] = column == 0 ? 101 : column == length - 1 ? 102 : random.Next(1000, vocabularySize);
            }
        }

        return ids;
    }
}
