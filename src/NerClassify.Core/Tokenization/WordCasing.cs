namespace NerClassify.Tokenization;

/// <summary>
/// The capitalisation class of a word, which an uncased encoder cannot see. Every subword of a word gets
/// its word's class; special tokens and padding get <see cref="None"/>.
/// </summary>
internal enum WordCasing
{
    /// <summary>Special token or padding.</summary>
    None = 0,

    /// <summary>Letters, all lower case ("visited").</summary>
    Lower = 1,

    /// <summary>First letter upper case, the rest lower ("Paris").</summary>
    Title = 2,

    /// <summary>Two or more letters, all upper case ("NATO", "BRUSSELS").</summary>
    Upper = 3,

    /// <summary>Other mixes of cases ("McDonald", "iPhone"), or a single upper-case letter.</summary>
    Mixed = 4,

    /// <summary>No letters, at least one digit ("1996-08-22", "3").</summary>
    Numeric = 5,

    /// <summary>Neither letters nor digits (punctuation, symbols).</summary>
    Other = 6,
}
