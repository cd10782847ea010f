using System.Globalization;

namespace NerClassify.Samples.Reproduction;

/// <summary>
/// Command-line settings of the reproduction. The defaults are the best setting of docs/results.md (issue 18): the
/// tuned settings for the small encoder (learning rate 2e-4, 10 epochs, casing at the input, frozen word embeddings)
/// plus self-training on the other sentences of train.txt (student: 2 epochs), mean pooling for the sentence head and
/// the heads at 5 times the learning rate, layer-wise learning-rate decay 0.9, and document context at evaluation
/// (each validation sentence's class and entity types revised by the other sentences of its document).
/// The report's own settings and the
/// strict Table 2 row are flags away (docs/reproduction.md).
/// </summary>
internal sealed record ReproductionOptions
{
    public required string DataDirectory { get; init; }

    public string OutputDirectory { get; init; } = "reproduction";

    public int TrainSize { get; init; } = 1000;

    public int[] CurveSizes { get; init; } = [10, 30, 100, 300, 1000, 2000];

    public int Epochs { get; init; } = 10;

    public int MultitaskEpochs { get; init; } = 10;

    public double LearningRate { get; init; } = 2e-4;

    public int BatchSize { get; init; } = 16;

    public double WarmupRatio { get; init; } = 0.1;

    public int[] Seeds { get; init; } = [1, 2, 3];

    public int[]? UncertaintySeeds { get; init; }

    public int CasingEmbedding { get; init; }

    public int HiddenLayer { get; init; }

    public bool FreezeWordEmbeddings { get; init; } = true;

    public bool CasingInput { get; init; } = true;

    public bool CharacterFeatures { get; init; }

    public bool Crf { get; init; }

    public bool ConstrainedDecoding { get; init; } = true;

    public bool MeanPooling { get; init; } = true;

    public double HeadLearningRateMultiplier { get; init; } = 5;

    public double LayerDecay { get; init; } = 0.9;

    public double SequenceWeight { get; init; } = 1;

    public int AverageLastEpochs { get; init; } = 1;

    public bool SelfTraining { get; init; } = true;

    public int? UnlabelledSentences { get; init; }

    public double MinConfidence { get; init; } = 0.9;

    public int? MaxPseudo { get; init; }

    public int? StudentEpochs { get; init; } = 2;

    public int Rounds { get; init; } = 1;

    public bool DocumentContext { get; init; } = true;

    public int? Threads { get; init; }

    public string[] Experiments { get; init; } = ["token", "sequence", "multitask", "uncertainty", "curve"];

    public string? TestConll { get; init; }

    public string? Replot { get; init; }

    public bool CompareDecoding { get; init; }

    public string? TestLabels { get; init; }

    public string? ChooseDocumentContext { get; init; }

    public static ReproductionOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs; got '{args[i]}'. See --help in the docs (docs/reproduction.md).");
            }

            values[args[i][2..]] = args[++i];
        }

        string data = values.GetValueOrDefault("data") ?? FindSharedData()
            ?? throw new ArgumentException("No --data folder given and ../shared/data was not found above the current folder.");
        var options = new ReproductionOptions { DataDirectory = data };
        return options with
        {
            OutputDirectory = values.GetValueOrDefault("output") ?? options.OutputDirectory,
            TrainSize = Int(values, "train-size") ?? options.TrainSize,
            CurveSizes = Ints(values, "curve-sizes") ?? options.CurveSizes,
            Epochs = Int(values, "epochs") ?? options.Epochs,
            MultitaskEpochs = Int(values, "multitask-epochs") ?? Int(values, "epochs") ?? options.MultitaskEpochs,
            LearningRate = values.TryGetValue("lr", out string? lr) ? double.Parse(lr, CultureInfo.InvariantCulture) : options.LearningRate,
            BatchSize = Int(values, "batch-size") ?? options.BatchSize,
            WarmupRatio = values.TryGetValue("warmup", out string? warmup) ? double.Parse(warmup, CultureInfo.InvariantCulture) : options.WarmupRatio,
            Seeds = Ints(values, "seeds") ?? options.Seeds,
            UncertaintySeeds = Ints(values, "uncertainty-seeds"),
            CasingEmbedding = Int(values, "casing") ?? options.CasingEmbedding,
            HiddenLayer = Int(values, "hidden") ?? options.HiddenLayer,
            CasingInput = values.TryGetValue("casing-input", out string? casingInput) ? bool.Parse(casingInput) : options.CasingInput,
            CharacterFeatures = values.TryGetValue("char-features", out string? characters) && bool.Parse(characters),
            Crf = values.TryGetValue("crf", out string? crf) && bool.Parse(crf),
            FreezeWordEmbeddings = values.TryGetValue("freeze-embeddings", out string? freeze) ? bool.Parse(freeze) : options.FreezeWordEmbeddings,
            ConstrainedDecoding = !values.TryGetValue("constrained", out string? constrained) || bool.Parse(constrained),
            Threads = Int(values, "threads"),
            MeanPooling = values.TryGetValue("pooling", out string? pooling) ? pooling switch
            {
                "mean" => true,
                "cls" => false,
                _ => throw new ArgumentException($"--pooling: '{pooling}' is not cls or mean."),
            } : options.MeanPooling,
            HeadLearningRateMultiplier = Double(values, "head-lr") ?? options.HeadLearningRateMultiplier,
            LayerDecay = Double(values, "layer-decay") ?? options.LayerDecay,
            SequenceWeight = Double(values, "sequence-weight") ?? options.SequenceWeight,
            AverageLastEpochs = Int(values, "average-last") ?? options.AverageLastEpochs,
            SelfTraining = values.TryGetValue("self-training", out string? selfTraining) ? bool.Parse(selfTraining) : options.SelfTraining,
            UnlabelledSentences = Int(values, "unlabelled") ?? options.UnlabelledSentences,
            MinConfidence = Double(values, "min-confidence") ?? options.MinConfidence,
            MaxPseudo = Int(values, "max-pseudo") ?? options.MaxPseudo,
            StudentEpochs = Int(values, "student-epochs") ?? options.StudentEpochs,
            Rounds = Int(values, "rounds") ?? options.Rounds,
            DocumentContext = values.TryGetValue("document-context", out string? documentContext) ? bool.Parse(documentContext) : options.DocumentContext,
            Experiments = values.TryGetValue("experiments", out string? experiments) ? experiments.Split(',', StringSplitOptions.RemoveEmptyEntries) : options.Experiments,
            TestConll = values.GetValueOrDefault("test-conll"),
            Replot = values.GetValueOrDefault("replot"),
            CompareDecoding = values.TryGetValue("compare-decoding", out string? compare) && bool.Parse(compare),
            TestLabels = values.GetValueOrDefault("test-labels"),
            ChooseDocumentContext = values.GetValueOrDefault("choose-document-context"),
        };
    }

    private static int? Int(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    private static double? Double(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out string? value) ? double.Parse(value, CultureInfo.InvariantCulture) : null;

    private static int[]? Ints(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out string? value) ? value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray() : null;

    private static string? FindSharedData()
    {
        for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "..", "shared", "data");
            if (Directory.Exists(Path.Combine(candidate, "conll2003")))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }
}
