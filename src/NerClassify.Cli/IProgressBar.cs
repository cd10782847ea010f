namespace NerClassify.Cli;

/// <summary>Moves a progress bar.</summary>
internal interface IProgressBar
{
    void Update(double done, double total, string? description = null);
}
