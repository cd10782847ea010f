namespace NerClassify.Tests.Metrics;

/// <summary>
/// conlleval.pl's endOfChunk and startOfChunk, transcribed line for line from the Perl script: the oracle that the
/// conlleval tests (<see cref="ToolParityTests"/>, <see cref="ConllevalModeTests"/>) compare the library against.
/// </summary>
internal static class ConllevalChunkBoundaries
{
    public static bool EndOfChunk(string prevTag, string tag, string prevType, string type)
    {
        bool chunkEnd = false;
        if (prevTag == "B" && tag == "B") { chunkEnd = true; }
        if (prevTag == "B" && tag == "O") { chunkEnd = true; }
        if (prevTag == "I" && tag == "B") { chunkEnd = true; }
        if (prevTag == "I" && tag == "O") { chunkEnd = true; }
        if (prevTag == "E" && tag == "E") { chunkEnd = true; }
        if (prevTag == "E" && tag == "I") { chunkEnd = true; }
        if (prevTag == "E" && tag == "O") { chunkEnd = true; }
        if (prevTag == "I" && tag == "O") { chunkEnd = true; }
        if (prevTag != "O" && prevTag != "." && prevType != type) { chunkEnd = true; }
        if (prevTag == "]") { chunkEnd = true; }
        if (prevTag == "[") { chunkEnd = true; }
        return chunkEnd;
    }

    public static bool StartOfChunk(string prevTag, string tag, string prevType, string type)
    {
        bool chunkStart = false;
        if (prevTag == "B" && tag == "B") { chunkStart = true; }
        if (prevTag == "I" && tag == "B") { chunkStart = true; }
        if (prevTag == "O" && tag == "B") { chunkStart = true; }
        if (prevTag == "O" && tag == "I") { chunkStart = true; }
        if (prevTag == "E" && tag == "E") { chunkStart = true; }
        if (prevTag == "E" && tag == "I") { chunkStart = true; }
        if (prevTag == "O" && tag == "E") { chunkStart = true; }
        if (prevTag == "O" && tag == "I") { chunkStart = true; }
        if (tag != "O" && tag != "." && prevType != type) { chunkStart = true; }
        if (tag == "[") { chunkStart = true; }
        if (tag == "]") { chunkStart = true; }
        return chunkStart;
    }
}
