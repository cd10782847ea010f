namespace NerClassify.Labelling;

/// <summary>One distinct request of a run: the sentence, its filled instruction and cache key, and every input position that shares it.</summary>
internal sealed class PendingRequest(string key, string instruction, string text, int sentenceIndex)
{
    public string Key { get; } = key;

    public string Instruction { get; } = instruction;

    public string Text { get; } = text;

    /// <summary>The index of the first sentence with this text, for log messages.</summary>
    public int SentenceIndex { get; } = sentenceIndex;

    public List<int> Positions { get; } = [];
}
