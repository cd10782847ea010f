using Spectre.Console;

namespace NerClassify.Cli;

/// <summary>One progress bar on standard error, or nothing when output is redirected or <c>--quiet</c> is given.</summary>
internal sealed class ProgressDisplay(IAnsiConsole? console)
{
    /// <summary>Runs <paramref name="work"/> with a bar it moves through the <see cref="IProgressBar"/> it is given.</summary>
    public async Task<T> RunAsync<T>(string description, Func<IProgressBar, Task<T>> work)
    {
        if (console is null)
        {
            return await work(NoBar.Instance).ConfigureAwait(false);
        }

        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context => await work(new Bar(context.AddTask(Markup.Escape(description), maxValue: 1))).ConfigureAwait(false))
            .ConfigureAwait(false);
    }

    private sealed class Bar(ProgressTask task) : IProgressBar
    {
        public void Update(double done, double total, string? description = null)
        {
            task.MaxValue = Math.Max(1, total);
            task.Value = Math.Min(done, task.MaxValue);
            if (description is not null)
            {
                task.Description = Markup.Escape(description);
            }
        }
    }

    private sealed class NoBar : IProgressBar
    {
        public static NoBar Instance { get; } = new();

        public void Update(double done, double total, string? description = null)
        {
        }
    }
}
