using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Tokenization;

namespace NerClassify.Tests.TestSupport;

/// <summary>The tiny random BERT of the style guide: vocab 99, hidden 32, 2 layers, 4 heads, intermediate 37.</summary>
internal static class TinyBert
{
    public static BertConfig Config { get; } = new()
    {
        VocabSize = 99,
        HiddenSize = 32,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        IntermediateSize = 37,
        MaxPositionEmbeddings = 64,
        TypeVocabSize = 2,
    };

    /// <summary>A seeded random encoder.</summary>
    public static BertEncoder Encoder(int seed = 1, bool addPooler = true)
    {
        TorchSharp.torch.manual_seed(seed);
        return new BertEncoder(Config, addPooler);
    }

    /// <summary>A vocabulary of 99 tokens: the specials, a few words and pieces, then filler.</summary>
    public static BertVocabulary Vocabulary()
    {
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        tokens.AddRange(["the", "a", "in", "of", "and", "to", "is", "was", "for", "on", "with", "at", "by", "from"]);
        tokens.AddRange(["john", "smith", "mary", "paris", "london", "berlin", "germany", "france", "reuters", "google", "microsoft", "united", "nations"]);
        tokens.AddRange(["visited", "said", "met", "won", "game", "match", "market", "shares", "stock", "goal", "team", "today", "new", "york"]);
        tokens.AddRange([".", ",", "'", "-", "(", ")", "\"", "1", "2", "3", "0", "##s", "##ed", "##ing", "##er"]);
        tokens.AddRange("abcdefghijklmnopqrstuvwxyz".Select(c => c.ToString()));
        tokens.AddRange("abcdefghijklmnopqrstuvwxyz".Select(c => "##" + c));
        List<string> distinct = tokens.Distinct().Take(99).ToList();
        distinct.AddRange(Enumerable.Range(0, 99 - distinct.Count).Select(i => $"[unused{i}]"));
        return new BertVocabulary(distinct, lowerCase: true);
    }
}
