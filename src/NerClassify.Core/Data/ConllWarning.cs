namespace NerClassify.Data;

/// <summary>A problem in a data file that did not stop reading, with where it was found.</summary>
/// <param name="FileName">The file name used in messages.</param>
/// <param name="LineNumber">The 1-based line of the offending token.</param>
/// <param name="Message">What was wrong and what was done about it.</param>
internal sealed record ConllWarning(string FileName, int LineNumber, string Message)
{
    /// <summary>Formats the warning as <c>file:line: message</c>.</summary>
    /// <returns>The formatted warning.</returns>
    public override string ToString() => $"{FileName}:{LineNumber}: {Message}";
}
