using System.Text;

namespace NerClassify.Data;

/// <summary>
/// Reads the lines of a UTF-8 file strictly: bytes that are not valid UTF-8 throw a <see cref="FormatException"/> that
/// names the file and the exact line, instead of silently becoming U+FFFD.
/// </summary>
/// <remarks>
/// Lines end at <c>\n</c>, <c>\r\n</c> or <c>\r</c>, as <see cref="StreamReader.ReadLine"/> has it, and a leading UTF-8
/// byte-order mark is skipped. Each line is decoded on its own (no line break byte occurs inside a UTF-8 sequence), so
/// the reported line is exact however large the file. Only the <c>ReadLine</c> methods are supported.
/// </remarks>
internal sealed class Utf8LineReader : TextReader
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly string _fileName;
    private readonly byte[] _buffer = new byte[1 << 16];
    private byte[] _pending = new byte[256];
    private int _pendingLength;
    private int _position;
    private int _length;
    private int _lineNumber;
    private bool _endOfStream;
    private bool _skipLineFeed;

    private Utf8LineReader(Stream stream, string fileName)
    {
        _stream = stream;
        _fileName = fileName;
    }

    /// <summary>Opens a file for asynchronous sequential reading.</summary>
    /// <param name="path">The file.</param>
    /// <param name="fileName">The name used in messages.</param>
    public static Utf8LineReader Open(string path, string fileName) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan), fileName);

    /// <inheritdoc/>
    public override string? ReadLine()
    {
        while (true)
        {
            if (TryTakeLine(out string? line))
            {
                return line;
            }

            Filled(_stream.Read(_buffer, 0, _buffer.Length));
        }
    }

    /// <inheritdoc/>
    public override Task<string?> ReadLineAsync() => ReadLineAsync(CancellationToken.None).AsTask();

    /// <inheritdoc/>
    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTakeLine(out string? line))
            {
                return line;
            }

            Filled(await _stream.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false));
        }
    }

    /// <inheritdoc/>
    public override int Peek() => throw new NotSupportedException("Utf8LineReader only reads whole lines.");

    /// <inheritdoc/>
    public override int Read() => throw new NotSupportedException("Utf8LineReader only reads whole lines.");

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Filled(int count)
    {
        _position = 0;
        _length = count;
        _endOfStream = count == 0;
    }

    // True with a line (or null at the end) when one is complete; false when more bytes are needed.
    private bool TryTakeLine(out string? line)
    {
        line = null;
        if (_skipLineFeed && _position < _length)
        {
            _skipLineFeed = false;
            if (_buffer[_position] == (byte)'\n')
            {
                _position++;
            }
        }

        int end = _buffer.AsSpan(_position, _length - _position).IndexOfAny((byte)'\n', (byte)'\r');
        if (end < 0)
        {
            if (!_endOfStream)
            {
                Append(_buffer.AsSpan(_position, _length - _position));
                _position = _length;
                return false;
            }

            if (_pendingLength == 0)
            {
                return true;
            }

            line = Decode(_pending.AsSpan(0, _pendingLength));
            _pendingLength = 0;
            return true;
        }

        ReadOnlySpan<byte> tail = _buffer.AsSpan(_position, end);
        if (_pendingLength == 0)
        {
            line = Decode(tail);
        }
        else
        {
            Append(tail);
            line = Decode(_pending.AsSpan(0, _pendingLength));
            _pendingLength = 0;
        }

        _skipLineFeed = _buffer[_position + end] == (byte)'\r';
        _position += end + 1;
        return true;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_pendingLength + bytes.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + bytes.Length));
        }

        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += bytes.Length;
    }

    private string Decode(ReadOnlySpan<byte> bytes)
    {
        _lineNumber++;
        if (_lineNumber == 1)
        {
            // A byte-order mark has no line-break byte, so it is always at the start of the first line.
            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            {
                throw new FormatException($"{_fileName}:1: the file starts with a UTF-16 or UTF-32 byte-order mark; save it as UTF-8.");
            }

            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                bytes = bytes[3..];
            }
        }

        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            string where = e.Index >= 0 ? $" at byte {e.Index + 1} of the line" : string.Empty;
            throw new FormatException(
                $"{_fileName}:{_lineNumber}: the line is not valid UTF-8{where}. Save the file as UTF-8, or read it through a TextReader whose decoder replaces invalid bytes.",
                e);
        }
    }
}
