using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace NerClassify.Checkpoints.Pickle;

/// <summary>
/// A pickle reader for the subset of opcodes that <c>torch.save</c> writes (protocol 2, plus the few protocol 4
/// opcodes some tools emit). It builds plain values only: <see langword="null"/>, <see cref="bool"/>,
/// <see cref="long"/>, <see cref="BigInteger"/>, <see cref="double"/>, <see cref="string"/>, <c>byte[]</c>,
/// <see cref="PickleTuple"/>, <see cref="List{T}"/> and <see cref="PickleDict"/>. Globals are refused unless the
/// caller's <see cref="IPickleGlobals"/> allows them, and calls (REDUCE/NEWOBJ/BUILD) go to that same object,
/// so nothing is ever executed. The stack and memo are bounded, and every length is checked against the bytes
/// left, so a hostile pickle cannot make it allocate more than a small multiple of its own size.
/// </summary>
internal sealed class RestrictedUnpickler
{
    /// <summary>The deepest the value stack (including marks) may grow. A state dict needs about two entries per tensor in one SETITEMS batch.</summary>
    public const int MaxStack = 1 << 20;

    /// <summary>The most memo entries a pickle may create; <c>torch.save</c> writes about fifteen per tensor.</summary>
    public const int MaxMemo = 1 << 20;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly IPickleGlobals _globals;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;

    /// <summary>Reads pickles from <paramref name="data"/>, one after the other.</summary>
    public RestrictedUnpickler(ReadOnlyMemory<byte> data, IPickleGlobals globals)
    {
        _data = data;
        _globals = globals;
    }

    /// <summary>Where the next pickle starts: the byte after the last <c>STOP</c>.</summary>
    public int Position => _position;

    /// <summary>Whether the last <see cref="Load"/> failed because the data ended (it may fit in a longer buffer).</summary>
    public bool RanOutOfData { get; private set; }

    /// <summary>Reads one pickle, up to and including its <c>STOP</c> opcode. The memo starts empty.</summary>
    /// <exception cref="PickleException">The pickle is malformed, uses an opcode outside the subset, or names a refused global.</exception>
    public object? Load()
    {
        _stack.Clear();
        _marks.Clear();
        _memo.Clear();
        RanOutOfData = false;
        ReadOnlySpan<byte> data = _data.Span;
        while (true)
        {
            int at = _position;
            byte op = ReadByte(data);
            switch (op)
            {
                case 0x80: // PROTO
                    byte protocol = ReadByte(data);
                    if (protocol > 5)
                    {
                        throw Fail(at, $"pickle protocol {protocol} is newer than 5");
                    }

                    break;
                case 0x95: // FRAME: a length prefix for buffering; the data follows inline.
                    Take(data, 8);
                    break;
                case 0x2e: // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                    {
                        throw Fail(at, $"STOP with {_stack.Count} values and {_marks.Count} open marks on the stack; one value was expected");
                    }

                    return _stack[0];
                case 0x28: // MARK
                    if (_marks.Count >= MaxStack)
                    {
                        throw Fail(at, $"more than {MaxStack} nested marks");
                    }

                    _marks.Add(_stack.Count);
                    break;
                case 0x29: // EMPTY_TUPLE
                    Push(at, new PickleTuple([]));
                    break;
                case 0x7d: // EMPTY_DICT
                    Push(at, new PickleDict());
                    break;
                case 0x5d: // EMPTY_LIST
                    Push(at, new List<object?>());
                    break;
                case 0x4e: // NONE
                    Push(at, null);
                    break;
                case 0x88: // NEWTRUE
                    Push(at, true);
                    break;
                case 0x89: // NEWFALSE
                    Push(at, false);
                    break;
                case 0x4a: // BININT
                    Push(at, (long)BinaryPrimitives.ReadInt32LittleEndian(Take(data, 4)));
                    break;
                case 0x4b: // BININT1
                    Push(at, (long)ReadByte(data));
                    break;
                case 0x4d: // BININT2
                    Push(at, (long)BinaryPrimitives.ReadUInt16LittleEndian(Take(data, 2)));
                    break;
                case 0x8a: // LONG1
                    Push(at, ReadLong(Take(data, ReadByte(data))));
                    break;
                case 0x8b: // LONG4
                    Push(at, ReadLong(Take(data, ReadLength(data, at, 4))));
                    break;
                case 0x47: // BINFLOAT, big-endian
                    Push(at, BinaryPrimitives.ReadDoubleBigEndian(Take(data, 8)));
                    break;
                case 0x58: // BINUNICODE
                    Push(at, ReadUtf8(data, ReadLength(data, at, 4), at));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(at, ReadUtf8(data, ReadByte(data), at));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(at, ReadUtf8(data, ReadLength(data, at, 8), at));
                    break;
                case 0x54: // BINSTRING: Python 2 str, read as Latin-1 like pickle's encoding='latin1'.
                    Push(at, Encoding.Latin1.GetString(Take(data, ReadLength(data, at, 4))));
                    break;
                case 0x55: // SHORT_BINSTRING
                    Push(at, Encoding.Latin1.GetString(Take(data, ReadByte(data))));
                    break;
                case 0x42: // BINBYTES
                    Push(at, Take(data, ReadLength(data, at, 4)).ToArray());
                    break;
                case 0x43: // SHORT_BINBYTES
                    Push(at, Take(data, ReadByte(data)).ToArray());
                    break;
                case 0x8e: // BINBYTES8
                    Push(at, Take(data, ReadLength(data, at, 8)).ToArray());
                    break;
                case 0x63: // GLOBAL: "module\nname\n"
                    string module = ReadLine(data, at);
                    string name = ReadLine(data, at);
                    Push(at, ResolveGlobal(at, module, name));
                    break;
                case 0x93: // STACK_GLOBAL
                    object? globalName = Pop(at);
                    object? globalModule = Pop(at);
                    if (globalModule is not string m || globalName is not string n)
                    {
                        throw Fail(at, "STACK_GLOBAL needs two strings");
                    }

                    Push(at, ResolveGlobal(at, m, n));
                    break;
                case 0x71: // BINPUT
                    Memoize(at, ReadByte(data));
                    break;
                case 0x72: // LONG_BINPUT
                    Memoize(at, BinaryPrimitives.ReadUInt32LittleEndian(Take(data, 4)));
                    break;
                case 0x94: // MEMOIZE
                    Memoize(at, _memo.Count);
                    break;
                case 0x68: // BINGET
                    Push(at, Recall(at, ReadByte(data)));
                    break;
                case 0x6a: // LONG_BINGET
                    Push(at, Recall(at, BinaryPrimitives.ReadUInt32LittleEndian(Take(data, 4))));
                    break;
                case 0x32: // DUP
                    Push(at, Peek(at));
                    break;
                case 0x30: // POP
                    if (_marks.Count > 0 && _marks[^1] == _stack.Count)
                    {
                        _marks.RemoveAt(_marks.Count - 1);
                    }
                    else
                    {
                        Pop(at);
                    }

                    break;
                case 0x31: // POP_MARK
                    PopMark(at);
                    break;
                case 0x74: // TUPLE
                    Push(at, new PickleTuple(PopMark(at)));
                    break;
                case 0x85: // TUPLE1
                    Push(at, new PickleTuple([Pop(at)]));
                    break;
                case 0x86: // TUPLE2
                {
                    object? second = Pop(at);
                    Push(at, new PickleTuple([Pop(at), second]));
                    break;
                }

                case 0x87: // TUPLE3
                {
                    object? third = Pop(at);
                    object? second = Pop(at);
                    Push(at, new PickleTuple([Pop(at), second, third]));
                    break;
                }

                case 0x61: // APPEND
                {
                    object? item = Pop(at);
                    ListAt(at).Add(item);
                    break;
                }

                case 0x65: // APPENDS
                {
                    object?[] items = PopMark(at);
                    ListAt(at).AddRange(items);
                    break;
                }

                case 0x73: // SETITEM
                {
                    object? value = Pop(at);
                    object? key = Pop(at);
                    DictAt(at).Add(key, value);
                    break;
                }

                case 0x75: // SETITEMS
                {
                    object?[] items = PopMark(at);
                    if (items.Length % 2 != 0)
                    {
                        throw Fail(at, "SETITEMS with an odd number of values");
                    }

                    PickleDict dict = DictAt(at);
                    for (int i = 0; i < items.Length; i += 2)
                    {
                        dict.Add(items[i], items[i + 1]);
                    }

                    break;
                }

                case 0x52: // REDUCE
                {
                    object? arguments = Pop(at);
                    object? callable = Pop(at);
                    Push(at, Call(at, callable, arguments));
                    break;
                }

                case 0x81: // NEWOBJ: cls.__new__(cls, *args)
                {
                    object? arguments = Pop(at);
                    object? callable = Pop(at);
                    Push(at, Call(at, callable, arguments));
                    break;
                }

                case 0x62: // BUILD
                {
                    object? state = Pop(at);
                    object? target = Peek(at);
                    if (!_globals.Build(target, state))
                    {
                        throw Fail(at, $"BUILD on a {Describe(target)} is not something a checkpoint does");
                    }

                    break;
                }

                case 0x51: // BINPERSID
                    Push(at, _globals.PersistentLoad(Pop(at)));
                    break;
                default:
                    throw Fail(at, $"opcode 0x{op:x2} ('{(op is >= 0x20 and < 0x7f ? (char)op : '?')}') is not one torch.save writes");
            }
        }
    }

    private static object ReadLong(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return 0L;
        }

        if (bytes.Length <= 8)
        {
            long value = 0;
            for (int i = bytes.Length - 1; i >= 0; i--)
            {
                value = (value << 8) | bytes[i];
            }

            // Sign-extend from the top byte's high bit.
            int unused = 64 - (bytes.Length * 8);
            return unused == 0 ? value : (value << unused) >> unused;
        }

        return new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        PickleGlobal g => $"global '{g.Module}.{g.Name}'",
        _ => value.GetType().Name,
    };

    private PickleGlobal ResolveGlobal(int at, string module, string name)
    {
        if (!_globals.IsAllowed(module, name))
        {
            throw Fail(at, $"refuses the global '{module}.{name}': only tensor rebuild functions, storage types and OrderedDict may appear in a checkpoint");
        }

        return new PickleGlobal(module, name);
    }

    private object? Call(int at, object? callable, object? arguments)
    {
        if (callable is not PickleGlobal global)
        {
            throw Fail(at, $"a call on a {Describe(callable)}; only allowed globals can be called");
        }

        if (arguments is not PickleTuple tuple)
        {
            throw Fail(at, $"a call of '{global.Module}.{global.Name}' with {Describe(arguments)} arguments instead of a tuple");
        }

        return _globals.Call(global, tuple);
    }

    private void Push(int at, object? value)
    {
        if (_stack.Count >= MaxStack)
        {
            throw Fail(at, $"the pickle stack grows past {MaxStack} values");
        }

        _stack.Add(value);
    }

    private object? Pop(int at)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor)
        {
            throw Fail(at, "a value is taken from an empty stack");
        }

        object? value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek(int at)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor)
        {
            throw Fail(at, "a value is read from an empty stack");
        }

        return _stack[^1];
    }

    private object?[] PopMark(int at)
    {
        if (_marks.Count == 0)
        {
            throw Fail(at, "a MARK is closed that was never opened");
        }

        int start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        object?[] items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private List<object?> ListAt(int at) =>
        Peek(at) as List<object?> ?? throw Fail(at, $"APPEND to a {Describe(Peek(at))} instead of a list");

    private PickleDict DictAt(int at) =>
        Peek(at) as PickleDict ?? throw Fail(at, $"SETITEM on a {Describe(Peek(at))} instead of a dict");

    private void Memoize(int at, long index)
    {
        if (!_memo.ContainsKey(index) && _memo.Count >= MaxMemo)
        {
            throw Fail(at, $"the pickle memo grows past {MaxMemo} entries");
        }

        _memo[index] = Peek(at);
    }

    private object? Recall(int at, long index) =>
        _memo.TryGetValue(index, out object? value) ? value : throw Fail(at, $"memo entry {index} is read before it is written");

    private byte ReadByte(ReadOnlySpan<byte> data)
    {
        if (_position >= data.Length)
        {
            RanOutOfData = true;
            throw Fail(_position, "the pickle ends before its STOP opcode");
        }

        return data[_position++];
    }

    private ReadOnlySpan<byte> Take(ReadOnlySpan<byte> data, int count)
    {
        if (count > data.Length - _position)
        {
            RanOutOfData = true;
            throw Fail(_position, $"the pickle ends inside a {count}-byte value");
        }

        ReadOnlySpan<byte> slice = data.Slice(_position, count);
        _position += count;
        return slice;
    }

    // A length prefix, refused before anything is allocated when it exceeds the bytes left.
    private int ReadLength(ReadOnlySpan<byte> data, int at, int width)
    {
        ulong length = width == 4
            ? BinaryPrimitives.ReadUInt32LittleEndian(Take(data, 4))
            : BinaryPrimitives.ReadUInt64LittleEndian(Take(data, 8));
        if (length > (ulong)(data.Length - _position))
        {
            RanOutOfData = true;
            throw Fail(at, $"a value claims {length} bytes but only {data.Length - _position} remain");
        }

        return (int)length;
    }

    private string ReadUtf8(ReadOnlySpan<byte> data, int length, int at)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take(data, length));
        }
        catch (DecoderFallbackException)
        {
            throw Fail(at, "a string is not valid UTF-8");
        }
    }

    private string ReadLine(ReadOnlySpan<byte> data, int at)
    {
        ReadOnlySpan<byte> rest = data[_position..];
        int end = rest.IndexOf((byte)'\n');
        if (end < 0 || end > 256)
        {
            RanOutOfData = end < 0;
            throw Fail(at, "GLOBAL without a newline-terminated name");
        }

        _position += end + 1;
        return Encoding.ASCII.GetString(rest[..end]);
    }

    private static PickleException Fail(int at, string what) => new($"pickle byte {at}: {what}");
}
