using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace NerClassify.Tests.Checkpoints.Fixtures;

/// <summary>Writes pickle protocol 2 opcodes by hand, as Python's pickler emits them for torch checkpoints.</summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _out = new();

    public PickleWriter Proto() => Op(0x80).Byte(2);

    public PickleWriter Stop() => Op(0x2e);

    public PickleWriter Mark() => Op(0x28);

    public PickleWriter Tuple() => Op(0x74);

    public PickleWriter EmptyTuple() => Op(0x29);

    public PickleWriter EmptyDict() => Op(0x7d);

    public PickleWriter EmptyList() => Op(0x5d);

    public PickleWriter Appends() => Op(0x65);

    public PickleWriter SetItem() => Op(0x73);

    public PickleWriter SetItems() => Op(0x75);

    public PickleWriter Reduce() => Op(0x52);

    public PickleWriter Build() => Op(0x62);

    public PickleWriter PersistentId() => Op(0x51);

    public PickleWriter None() => Op(0x4e);

    public PickleWriter Bool(bool value) => Op(value ? (byte)0x88 : (byte)0x89);

    public PickleWriter Put(int index) => index < 256 ? Op(0x71).Byte((byte)index) : Op(0x72).Int32(index);

    public PickleWriter Get(int index) => index < 256 ? Op(0x68).Byte((byte)index) : Op(0x6a).Int32(index);

    /// <summary>An int the way pickle picks its opcode: BININT1, BININT2, BININT or LONG1.</summary>
    public PickleWriter Int(long value)
    {
        if (value is >= 0 and < 256)
        {
            return Op(0x4b).Byte((byte)value);
        }

        if (value is >= 0 and < 65536)
        {
            Op(0x4d);
            Span<byte> two = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(two, (ushort)value);
            return Bytes(two);
        }

        return value is >= int.MinValue and <= int.MaxValue ? Op(0x4a).Int32((int)value) : Long(value);
    }

    /// <summary>LONG1: a little-endian two's-complement integer of up to 255 bytes.</summary>
    public PickleWriter Long(BigInteger value)
    {
        byte[] bytes = value.ToByteArray(isUnsigned: false, isBigEndian: false);
        return Op(0x8a).Byte((byte)bytes.Length).Bytes(bytes);
    }

    public PickleWriter Str(string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        return Op(0x58).Int32(utf8.Length).Bytes(utf8);
    }

    public PickleWriter Global(string module, string name) => Op(0x63).Bytes(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    /// <summary>A tuple of ints, as torch writes sizes and strides.</summary>
    public PickleWriter IntTuple(IEnumerable<long> values)
    {
        Mark();
        foreach (long value in values)
        {
            Int(value);
        }

        return Tuple();
    }

    public PickleWriter Op(byte op) => Byte(op);

    public PickleWriter Raw(ReadOnlySpan<byte> bytes) => Bytes(bytes);

    public byte[] ToArray() => _out.ToArray();

    private PickleWriter Byte(byte value)
    {
        _out.WriteByte(value);
        return this;
    }

    private PickleWriter Int32(int value)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(four, value);
        return Bytes(four);
    }

    private PickleWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        _out.Write(bytes);
        return this;
    }
}
