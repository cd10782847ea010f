using System.Collections.Concurrent;
using NerClassify.Labelling;

namespace NerClassify.Tests.Labelling;

/// <summary>Collects progress reports synchronously, unlike <see cref="Progress{T}"/>.</summary>
internal sealed class RecordingProgress : IProgress<LabellingProgress>
{
    public ConcurrentQueue<LabellingProgress> Reports { get; } = new();

    public void Report(LabellingProgress value) => Reports.Enqueue(value);
}
