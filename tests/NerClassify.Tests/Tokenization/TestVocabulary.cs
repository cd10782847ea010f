using System.Text;
using NerClassify.Tokenization;

namespace NerClassify.Tests.Tokenization;

/// <summary>A tiny WordPiece vocabulary written for tests.</summary>
internal static class TestVocabulary
{
    public static readonly string[] Tokens = BuildTokens();

    public static int IdOf(string token) => Array.IndexOf(Tokens, token);

    public static BertWordTokenizer CreateTokenizer(bool lowerCase = true)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', Tokens) + "\n"));
        return BertWordTokenizer.Create(stream, lowerCase);
    }

    public static string WriteTo(string folder)
    {
        string path = Path.Combine(folder, "vocab.txt");
        File.WriteAllLines(path, Tokens);
        return path;
    }

    private static string[] BuildTokens()
    {
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        tokens.AddRange(["the", "quick", "brown", "fox", "jump", "new", "york", "city", "un", "play", "Paris"]);
        tokens.AddRange(["##s", "##ed", "##ing", "##able", "##er"]);
        tokens.AddRange([".", ",", "!", "?", "-", "'", "\"", "(", ")", "中", "国"]);
        for (char c = 'a'; c <= 'z'; c++)
        {
            tokens.Add(c.ToString());
            tokens.Add("##" + c);
        }

        for (char c = '0'; c <= '9'; c++)
        {
            tokens.Add(c.ToString());
            tokens.Add("##" + c);
        }

        return [.. tokens.Distinct(StringComparer.Ordinal)];
    }
}
