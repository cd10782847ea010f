using System.Globalization;
using NerClassify.Configuration;
using NerClassify.Data;

namespace NerClassify.Training;

/// <summary>
/// What <see cref="LoadAsync(TaskKind, TrainingFiles, CancellationToken)"/> read: the labelled
/// sentences to train on, unlabelled text for self-training, the validation sentences and a description of the choice.
/// </summary>
/// <param name="Labelled">The labelled training sentences.</param>
/// <param name="Unlabelled">Words of unlabelled sentences (empty when none were asked for).</param>
/// <param name="Validation">The validation sentences, or null without a validation file.</param>
/// <param name="Description">
/// Exactly what was used, for <c>ModelConfig.TrainedOn</c> and reports, for example "1,000 labelled + 13,041 unlabelled
/// sentences: the first 1,000 rows of train.tsv joined to train.txt; the other sentences of train.txt, words only".
/// </param>
internal sealed record TrainingFileSet(
    IReadOnlyList<TrainingExample> Labelled,
    IReadOnlyList<IReadOnlyList<string>> Unlabelled,
    IReadOnlyList<TrainingExample>? Validation,
    string Description)
{
    /// <summary>
    /// Loads what <paramref name="files"/> names for <paramref name="task"/>: the labelled training sentences (all, or
    /// the first or a seeded random <see cref="TrainingFiles.LabelledCount"/>), unlabelled text (the rest of the training
    /// file, or another CoNLL file, words only), and the validation sentences.
    /// </summary>
    /// <param name="task">The model's task; see <see cref="TrainingData.LoadAsync(TaskKind, string, string?, CancellationToken)"/> for what each reads.</param>
    /// <param name="files">The files and the choice of sentences.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The sentences and a description of exactly what was used.</returns>
    /// <exception cref="ArgumentException">The choice is contradictory (a seed without a count, or two unlabelled sources).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="TrainingFiles.LabelledCount"/> is below 1.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="FormatException">A file is malformed; the message starts with <c>file:line</c>.</exception>
    public static async Task<TrainingFileSet> LoadAsync(TaskKind task, TrainingFiles files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentException.ThrowIfNullOrWhiteSpace(files.Train, nameof(files));
        if (files.LabelledCount is { } requested)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(requested, 1, nameof(TrainingFiles.LabelledCount));
        }
        else if (files.LabelledSeed is not null)
        {
            throw new ArgumentException($"{nameof(TrainingFiles.LabelledSeed)} chooses which {nameof(TrainingFiles.LabelledCount)} sentences to take; set the count too.", nameof(files));
        }

        if (files.UnlabelledRest && files.UnlabelledFile is not null)
        {
            throw new ArgumentException($"Give one source of unlabelled text: {nameof(TrainingFiles.UnlabelledRest)} or {nameof(TrainingFiles.UnlabelledFile)}, not both.", nameof(files));
        }

        IReadOnlyList<TrainingExample>? validation = files.Validation is null ? null
            : await TrainingData.LoadAsync(task, files.Validation, files.ValidationLabels, cancellationToken).ConfigureAwait(false);
        string train = Path.GetFileName(files.Train);
        string? labelsName = files.TrainLabels is null ? null : Path.GetFileName(files.TrainLabels);
        bool textLabelFile = !task.HasTokenHead() && files.TrainLabels is null;

        // The candidates for labelled training, each with its position in the training file (sentence index or row).
        IReadOnlyList<(int Position, TrainingExample Example)> candidates;
        int positions;
        string source;
        if (textLabelFile)
        {
            IReadOnlyList<TrainingExample> rows = await TrainingData.LoadTextLabelsAsync(files.Train, cancellationToken).ConfigureAwait(false);
            candidates = rows.Select((e, i) => (i, e)).ToArray();
            positions = rows.Count;
            source = "rows of " + train;
        }
        else if (files.LabelledCount is null || files.TrainLabels is null)
        {
            if (!task.HasTokenHead())
            {
                // A joined sentence classifier trains on the labelled rows only; their sentence indexes say which are taken.
                ConllCorpus corpus = await new ConllReader().LoadAsync(files.Train, cancellationToken: cancellationToken).ConfigureAwait(false);
                IReadOnlyList<SentenceLabelRow> labelRows = await SentenceLabelFile.LoadAsync(files.TrainLabels!, cancellationToken: cancellationToken).ConfigureAwait(false);
                candidates = SentenceLabelFile.Join(corpus.Sentences, labelRows, files.TrainLabels).Select(j => (j.Sentence.Index, new TrainingExample(j.Sentence.Words, null, j.Label))).ToArray();
                positions = corpus.Sentences.Count;
            }
            else
            {
                IReadOnlyList<TrainingExample> all = await TrainingData.LoadAsync(task, files.Train, files.TrainLabels, cancellationToken).ConfigureAwait(false);
                candidates = all.Select((e, i) => (i, e)).ToArray();
                positions = all.Count;
            }

            source = labelsName is null ? "sentences of " + train : $"{train} joined to {labelsName}";
        }
        else
        {
            // The first (or a seeded sample of) N rows of the label file choose the labelled sentences, in row order.
            ConllCorpus corpus = await new ConllReader().LoadAsync(files.Train, cancellationToken: cancellationToken).ConfigureAwait(false);
            IReadOnlyList<SentenceLabelRow> labelRows = await SentenceLabelFile.LoadAsync(files.TrainLabels, cancellationToken: cancellationToken).ConfigureAwait(false);
            IReadOnlyList<LabeledSentence> joined = SentenceLabelFile.Join(corpus.Sentences, labelRows, files.TrainLabels);
            candidates = joined.Select(j => (j.Sentence.Index, new TrainingExample(j.Sentence.Words, !task.HasTokenHead() ? null : j.Sentence.Tags, !task.HasSequenceHead() ? null : j.Label))).ToArray();
            positions = corpus.Sentences.Count;
            source = $"rows of {labelsName} joined to {train}";
        }

        IReadOnlyList<(int Position, TrainingExample Example)> chosen = candidates;
        string labelledText = source;
        if (files.LabelledCount is { } count)
        {
            int taken = Math.Min(count, candidates.Count);
            chosen = files.LabelledSeed is { } seed ? DatasetSampling.RandomSubset(candidates, taken, seed) : DatasetSampling.First(candidates, taken);
            labelledText = files.LabelledSeed is { } s
                ? string.Create(CultureInfo.InvariantCulture, $"{taken:N0} {source} drawn at random with seed {s}")
                : string.Create(CultureInfo.InvariantCulture, $"the first {taken:N0} {source}");
        }
        else if (files.TrainLabels is null || textLabelFile)
        {
            labelledText = textLabelFile ? "every row of " + train : "every sentence of " + train;
        }

        IReadOnlyList<IReadOnlyList<string>> unlabelled = [];
        string? unlabelledText = null;
        if (files.UnlabelledRest)
        {
            var taken = chosen.Select(c => c.Position).ToHashSet();
            if (textLabelFile)
            {
                unlabelled = candidates.Where(c => !taken.Contains(c.Position)).Select(c => c.Example.Words).ToArray();
                unlabelledText = $"the other rows of {train}, text only";
            }
            else
            {
                IReadOnlyList<IReadOnlyList<string>> words = await TrainingData.LoadWordsAsync(files.Train, cancellationToken).ConfigureAwait(false);
                if (words.Count != positions)
                {
                    throw new FormatException($"{files.Train}: read {words.Count} sentences as words but {positions} as CoNLL sentences; check the file's blank lines.");
                }

                unlabelled = words.Where((_, index) => !taken.Contains(index)).ToArray();
                unlabelledText = $"the other sentences of {train}, words only";
            }
        }
        else if (files.UnlabelledFile is { } unlabelledFile)
        {
            unlabelled = await TrainingData.LoadWordsAsync(unlabelledFile, cancellationToken).ConfigureAwait(false);
            unlabelledText = $"{Path.GetFileName(unlabelledFile)}, words only";
        }

        TrainingExample[] labelled = chosen.Select(c => c.Example).ToArray();
        string description = unlabelledText is null
            ? string.Create(CultureInfo.InvariantCulture, $"{labelled.Length:N0} labelled sentences: {labelledText}")
            : string.Create(CultureInfo.InvariantCulture, $"{labelled.Length:N0} labelled + {unlabelled.Count:N0} unlabelled sentences: {labelledText}; {unlabelledText}");
        return new TrainingFileSet(labelled, unlabelled, validation, description);
    }
}
