namespace NerClassify.Tokenization;

/// <summary>How words are turned into model inputs. Change options with <c>with</c>.</summary>
internal sealed record EncodingOptions
{
    /// <summary>The default options: 512 subwords, windows overlapping by 128 subwords.</summary>
    public static EncodingOptions Default { get; } = new();

    /// <summary>The longest sequence the model takes, [CLS] and [SEP] included (<c>max_position_embeddings</c>). Default 512; at least 3.</summary>
    public int MaxLength { get; init; } = 512;

    /// <summary>
    /// How many subwords consecutive windows share, as in Hugging Face's <c>stride</c>; whole words are kept together, so the
    /// overlap is at most this. Default 128; must be less than <see cref="MaxLength"/> - 2.
    /// </summary>
    public int Stride { get; init; } = 128;

    /// <summary>What to do with a sentence longer than <see cref="MaxLength"/>. Default <see cref="OverflowHandling.Window"/>.</summary>
    internal OverflowHandling Overflow { get; init; } = OverflowHandling.Window;

    /// <summary>
    /// The window rule every setting that describes windows follows: at least 3 subwords (with [CLS] and [SEP]), and a
    /// stride smaller than the window's word pieces so that windows advance.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value breaks the rule; the message names it as <paramref name="maxLengthName"/> or <paramref name="strideName"/>.</exception>
    internal static void CheckWindow(int maxLength, int stride, string maxLengthName = nameof(MaxLength), string strideName = nameof(Stride))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 3, maxLengthName);
        ArgumentOutOfRangeException.ThrowIfNegative(stride, strideName);
        if (stride >= maxLength - 2)
        {
            throw new ArgumentOutOfRangeException(strideName, stride, $"The stride must be smaller than the window's {maxLength - 2} word pieces ({maxLengthName} {maxLength} less [CLS] and [SEP]), so that windows advance.");
        }
    }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; the message names it.</exception>
    public void Validate()
    {
        CheckWindow(MaxLength, Stride);
        if (!Enum.IsDefined(Overflow))
        {
            throw new ArgumentOutOfRangeException(nameof(Overflow), Overflow, "Unknown overflow handling.");
        }
    }
}
