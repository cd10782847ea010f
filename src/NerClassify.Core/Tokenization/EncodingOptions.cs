namespace NerClassify.Tokenization;

/// <summary>How words are turned into model inputs. Change options with <c>with</c>.</summary>
public sealed record EncodingOptions
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

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLength, 3);
        ArgumentOutOfRangeException.ThrowIfNegative(Stride);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(Stride, MaxLength - 2);
        if (!Enum.IsDefined(Overflow))
        {
            throw new ArgumentOutOfRangeException(nameof(Overflow), Overflow, "Unknown overflow handling.");
        }
    }
}
