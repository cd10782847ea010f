using NerClassify.Labelling;
using Spectre.Console;

namespace NerClassify.Samples.Labelling;

/// <summary>Shows labelling progress on a Spectre.Console progress task, synchronously so the bar never steps back.</summary>
internal sealed class ProgressBarReporter(ProgressTask task) : IProgress<LabellingProgress>
{
    public void Report(LabellingProgress value)
    {
        task.MaxValue = Math.Max(1, value.Total);
        task.Value = value.Done;
        task.Description = $"Labelling [grey]({value.CacheHits} cached, {value.Unlabelled} unlabelled)[/]";
    }
}
