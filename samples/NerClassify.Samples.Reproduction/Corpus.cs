using NerClassify.Data;
using NerClassify.Training;

namespace NerClassify.Samples.Reproduction;

/// <summary>The CoNLL-2003 files and topic labels, joined into training and evaluation examples.</summary>
internal sealed record Corpus(
    IReadOnlyList<LabeledSentence> TrainRows,
    IReadOnlyList<TrainingExample> NerValidation,
    IReadOnlyList<TrainingExample> TopicValidation,
    IReadOnlyList<TrainingExample> MultitaskValidation,
    IReadOnlyList<string> TokenLabels,
    IReadOnlyList<string> Topics)
{
    /// <summary>NER examples of the optional test CoNLL file, or null.</summary>
    public IReadOnlyList<TrainingExample>? NerTest { get; init; }

    /// <summary>
    /// The words of every sentence of <c>train.txt</c>, by sentence index: the unlabelled pool of self-training, which
    /// takes the sentences not among the labelled ones. Read with <see cref="TrainingData.LoadWordsAsync"/>, which
    /// never parses a tag.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> TrainWords { get; init; } = [];

    /// <summary>Every sentence of <c>train.txt</c> with its gold tags, in file order: the ceiling run's training set.</summary>
    public IReadOnlyList<ConllSentence> TrainSentences { get; init; } = [];

    /// <summary>The sentences of <c>valid.txt</c>, in file order, with their documents: the input of document context.</summary>
    public IReadOnlyList<ConllSentence> ValidSentences { get; init; } = [];

    /// <summary>The sentences of the optional test CoNLL file, in file order, or null.</summary>
    public IReadOnlyList<ConllSentence>? TestSentences { get; init; }

    /// <summary>The topic of each labelled sentence of the optional test file, by sentence index, or null.</summary>
    public IReadOnlyDictionary<int, string>? TestTopics { get; init; }

    /// <summary>The topic of each labelled sentence of <c>valid.txt</c>, by sentence index.</summary>
    public IReadOnlyDictionary<int, string> ValidTopics { get; init; } = new Dictionary<int, string>();

    /// <summary>Topic examples of the optional test label file (joined to the test CoNLL file), or null.</summary>
    public IReadOnlyList<TrainingExample>? TopicTest { get; init; }

    public static readonly string[] TopicOrder = ["World", "Sport", "Business", "Technology", "Other"];

    public static async Task<Corpus> LoadAsync(string dataDirectory, string? testConll = null, string? testLabels = null)
    {
        var reader = new ConllReader();
        ConllCorpus train = await reader.LoadAsync(Path.Combine(dataDirectory, "conll2003", "train.txt"));
        ConllCorpus valid = await reader.LoadAsync(Path.Combine(dataDirectory, "conll2003", "valid.txt"));
        var trainRows = await SentenceLabelFile.LoadAsync(Path.Combine(dataDirectory, "conll2003-topics", "train.tsv"));
        var validRows = await SentenceLabelFile.LoadAsync(Path.Combine(dataDirectory, "conll2003-topics", "valid.tsv"));
        IReadOnlyList<LabeledSentence> trainJoined = SentenceLabelFile.Join(train.Sentences, trainRows, "train.tsv");
        IReadOnlyList<LabeledSentence> validJoined = SentenceLabelFile.Join(valid.Sentences, validRows, "valid.tsv");

        string[] tokenLabels = LabelSet.FromSentences(train.Sentences).Labels.ToArray();
        var topicOf = validJoined.ToDictionary(j => j.Sentence.Index, j => j.Label);
        TrainingExample[] ner = valid.Sentences.Select(s => new TrainingExample(s.Words, s.Tags)).ToArray();
        TrainingExample[] topics = validJoined.Select(j => new TrainingExample(j.Sentence.Words, null, j.Label)).ToArray();
        TrainingExample[] both = valid.Sentences.Select(s => new TrainingExample(s.Words, s.Tags, topicOf.GetValueOrDefault(s.Index))).ToArray();
        // The sentence head's rows in ordinal order, as the command line and TrainingData order the labels they find, so
        // that the same seed starts every entry point from the same head; TopicOrder is the report's order for tables.
        var corpus = new Corpus(trainJoined, ner, topics, both, tokenLabels, TopicOrder.Order(StringComparer.Ordinal).ToArray())
        {
            TrainWords = await TrainingData.LoadWordsAsync(Path.Combine(dataDirectory, "conll2003", "train.txt")),
            TrainSentences = train.Sentences,
            ValidSentences = valid.Sentences,
            ValidTopics = topicOf,
        };
        if (corpus.TrainWords.Count != train.Sentences.Count || trainJoined.Any(r => !corpus.TrainWords[r.Sentence.Index].SequenceEqual(r.Sentence.Words)))
        {
            throw new InvalidDataException("The words read from train.txt do not line up with its sentences.");
        }
        if (testConll is null)
        {
            return testLabels is null ? corpus : throw new ArgumentException("--test-labels needs --test-conll: the labels are joined to its sentences.");
        }

        ConllCorpus test = await reader.LoadAsync(testConll);
        IReadOnlyList<LabeledSentence>? testJoined = testLabels is null ? null
            : SentenceLabelFile.Join(test.Sentences, await SentenceLabelFile.LoadAsync(testLabels), Path.GetFileName(testLabels));
        return corpus with
        {
            NerTest = test.Sentences.Select(s => new TrainingExample(s.Words, s.Tags)).ToArray(),
            TopicTest = testJoined?.Select(j => new TrainingExample(j.Sentence.Words, null, j.Label)).ToArray(),
            TestSentences = test.Sentences,
            TestTopics = testJoined?.ToDictionary(j => j.Sentence.Index, j => j.Label),
        };
    }

    /// <summary>The words of the train.txt sentences that are not among <paramref name="labelled"/>, at most <paramref name="count"/>, in file order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Unlabelled(IEnumerable<LabeledSentence> labelled, int? count)
    {
        var taken = labelled.Select(r => r.Sentence.Index).ToHashSet();
        IEnumerable<IReadOnlyList<string>> rest = TrainWords.Where((_, index) => !taken.Contains(index));
        return (count is { } n ? rest.Take(n) : rest).ToArray();
    }

    /// <summary>
    /// The ceiling's training set (issue 30): every sentence of <c>train.txt</c> with its gold tags, and the topic of the
    /// sentences that have a row in <c>train.tsv</c> (the others carry no sentence label, so only their tags count).
    /// </summary>
    public TrainingExample[] AllGold()
    {
        var topicOf = TrainRows.ToDictionary(r => r.Sentence.Index, r => r.Label);
        return TrainSentences.Select(s => new TrainingExample(s.Words, s.Tags, topicOf.GetValueOrDefault(s.Index))).ToArray();
    }

    public static TrainingExample[] ToExamples(IEnumerable<LabeledSentence> rows, bool tags, bool topics) =>
        rows.Select(r => new TrainingExample(r.Sentence.Words, tags ? r.Sentence.Tags : null, topics ? r.Label : null)).ToArray();
}
