using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Tokenization;

namespace NerClassify.Cli.Tests;

/// <summary>
/// A temporary folder with a tiny random BERT saved as an encoder directory (vocab 99, hidden 32, 2 layers, 4 heads,
/// intermediate 37, as in the style guide), small CoNLL and sentence-label files, and one NER and one multitask model
/// trained from them through the command line (1 epoch), shared by the tests.
/// </summary>
public sealed class TinyWorkspace : IDisposable
{
    private static readonly (string Text, string Tags, string Topic)[] Sentences =
    [
        ("john smith visited paris .", "B-PER I-PER O B-LOC O", "world"),
        ("mary visited london today .", "B-PER O B-LOC O O", "world"),
        ("google shares won in new york .", "B-ORG O O O B-LOC I-LOC O", "business"),
        ("microsoft said the market is new .", "B-ORG O O O O O O", "business"),
        ("the team won the game in berlin .", "O O O O O O B-LOC O", "sport"),
        ("john won the match for france .", "B-PER O O O O B-LOC O", "sport"),
        ("reuters said shares of google fell .", "B-ORG O O O B-ORG O O", "business"),
        ("mary met john in germany .", "B-PER O B-PER O B-LOC O", "world"),
    ];

    public TinyWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "nerclassify-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        EncoderDirectory = Path.Combine(Root, "encoder");
        SaveTinyEncoder(EncoderDirectory);
        TrainFile = Write("train.conll", Conll(Sentences));
        ValidationFile = Write("valid.conll", Conll(Sentences.Take(4)));
        TrainLabelsFile = Write("train.labels.tsv", Labels(Sentences));
        ValidationLabelsFile = Write("valid.labels.tsv", Labels(Sentences.Take(4)));
        NerModel = Path.Combine(Root, "ner-model");
        MultitaskModel = Path.Combine(Root, "multitask-model");
        NerTraining = Train("--task", "ner", "--train", TrainFile, "--validation", ValidationFile, "--output", NerModel);
        MultitaskTraining = Train(
            "--task", "multitask", "--train", TrainFile, "--train-labels", TrainLabelsFile,
            "--validation", ValidationFile, "--validation-labels", ValidationLabelsFile, "--output", MultitaskModel);
    }

    public string Root { get; }

    public string EncoderDirectory { get; }

    public string TrainFile { get; }

    public string ValidationFile { get; }

    public string TrainLabelsFile { get; }

    public string ValidationLabelsFile { get; }

    public string NerModel { get; }

    public string MultitaskModel { get; }

    public CliRun NerTraining { get; }

    public CliRun MultitaskTraining { get; }

    /// <summary>"train" with the given arguments and the ones every test adds: the tiny encoder, 1 epoch, a fixed seed, 1 thread.</summary>
    public string[] TrainArguments(params string[] args) =>
        ["train", .. args, "--encoder", EncoderDirectory, "--epochs", "1", "--seed", "7", "--threads", "1", "--learning-rate", "1e-3", "--batch-size", "4"];

    /// <summary>Like <see cref="TrainArguments"/> without some of its flags (and their values), for a test that sets it another way.</summary>
    public string[] TrainArgumentsWithout(string[] flags, params string[] args)
    {
        List<string> all = [.. TrainArguments(args)];
        foreach (string flag in flags)
        {
            all.RemoveRange(all.LastIndexOf(flag), 2);
        }

        return [.. all];
    }

    public string Write(string name, string text)
    {
        string path = Path.Combine(Root, name);
        File.WriteAllText(path, text);
        return path;
    }

    public string NewPath(string name) => Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder does not fail a test.
        }
    }

    /// <summary>Saves a seeded random tiny BERT as a Hugging Face encoder directory, the way <c>--encoder DIR</c> reads it.</summary>
    public static void SaveTinyEncoder(string directory)
    {
        var config = new BertConfig
        {
            VocabSize = 99,
            HiddenSize = 32,
            NumHiddenLayers = 2,
            NumAttentionHeads = 4,
            IntermediateSize = 37,
            MaxPositionEmbeddings = 64,
            TypeVocabSize = 2,
        };
        TorchSharp.torch.manual_seed(1);
        using var encoder = new PretrainedEncoder(new BertEncoder(config), Vocabulary());
        encoder.Save(directory);
    }

    private static BertVocabulary Vocabulary()
    {
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        tokens.AddRange(["the", "a", "in", "of", "and", "to", "is", "was", "for", "on", "with", "at", "by", "from"]);
        tokens.AddRange(["john", "smith", "mary", "paris", "london", "berlin", "germany", "france", "reuters", "google", "microsoft", "united", "nations"]);
        tokens.AddRange(["visited", "said", "met", "won", "game", "match", "market", "shares", "stock", "goal", "team", "today", "new", "york", "fell"]);
        tokens.AddRange([".", ",", "'", "-", "(", ")", "\"", "1", "2", "3", "0", "##s", "##ed", "##ing", "##er"]);
        tokens.AddRange("abcdefghijklmnopqrstuvwxyz".Select(c => c.ToString()));
        tokens.AddRange("abcdefghijklmnopqrstuvwxyz".Select(c => "##" + c));
        List<string> distinct = tokens.Distinct().Take(99).ToList();
        distinct.AddRange(Enumerable.Range(0, 99 - distinct.Count).Select(i => $"[unused{i}]"));
        return new BertVocabulary(distinct, lowerCase: true);
    }

    private static string Conll(IEnumerable<(string Text, string Tags, string Topic)> sentences) =>
        string.Join("\n", sentences.Select(s => string.Join("\n", s.Text.Split(' ').Zip(s.Tags.Split(' '), (w, t) => $"{w} {t}")) + "\n")) + "\n";

    private static string Labels(IEnumerable<(string Text, string Tags, string Topic)> sentences) =>
        SentenceLabelFile.Header + "\n" + string.Concat(sentences.Select((s, i) => $"{i}\t{s.Topic}\t{s.Text}\n"));

    private CliRun Train(params string[] args)
    {
        CliRun run = CliRun.RunAsync(TrainArguments(args)).GetAwaiter().GetResult();
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"Training the shared test model failed: {run}");
        }

        return run;
    }
}
