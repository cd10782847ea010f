using Spectre.Console;

namespace NerClassify.Cli;

/// <summary>One progress bar on standard error, or nothing when output is redirected or <c>--quiet</c> is given.</summary>
internal sealed class ProgressDisplay(IAnsiConsole? console, Action<string> say)
{
    /// <summary>Runs <paramref name="work"/> with a bar it moves through the <see cref="IProgressBar"/> it is given.</summary>
    public async Task<T> RunAsync<T>(string description, Func<IProgressBar, Task<T>> work)
    {
        if (console is null)
        {
            return await work(new NoBar(say)).ConfigureAwait(false);
        }

        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context => await work(new Bar(context.AddTask(Markup.Escape(description), maxValue: 1), console)).ConfigureAwait(false))
            .ConfigureAwait(false);
    }

    private sealed class Bar(ProgressTask task, IAnsiConsole console) : IProgressBar
    {
        // Spectre draws the line above the live bar and redraws the bar below it.
        public void WriteLine(string line) => console.WriteLine(line);

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

    private sealed class NoBar(Action<string> say) : IProgressBar
    {
        public void WriteLine(string line) => say(line);

        public void Update(double done, double total, string? description = null)
        {
        }
    }
}
