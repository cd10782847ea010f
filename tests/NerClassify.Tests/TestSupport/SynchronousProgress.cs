namespace NerClassify.Tests.TestSupport;

/// <summary>Reports on the reporting thread, at once (Progress&lt;T&gt; posts to the thread pool, too late for a test).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
