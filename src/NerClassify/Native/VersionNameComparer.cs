namespace NerClassify.Native;

/// <summary>Orders symbol version names such as <c>GLIBCXX_3.4.9</c> before <c>GLIBCXX_3.4.30</c>.</summary>
internal sealed class VersionNameComparer : IComparer<string>
{
    public static readonly VersionNameComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return string.CompareOrdinal(x, y);
        }

        int prefix = string.CompareOrdinal(x[..x.LastIndexOf('_')], y[..y.LastIndexOf('_')]);
        if (prefix != 0)
        {
            return prefix;
        }

        return Version.TryParse(x[(x.LastIndexOf('_') + 1)..], out Version? a) && Version.TryParse(y[(y.LastIndexOf('_') + 1)..], out Version? b)
            ? a.CompareTo(b)
            : string.CompareOrdinal(x, y);
    }
}
