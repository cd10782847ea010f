namespace NerClassify.Tokenization;

/// <summary>Where a word's prediction is read: a window and the position of the word's first subword in it.</summary>
/// <param name="Window">The index of the window in the list passed to <see cref="WindowMerger.SelectPositions"/>.</param>
/// <param name="Position">The position of the word's first subword in that window.</param>
internal readonly record struct WordPosition(int Window, int Position);
