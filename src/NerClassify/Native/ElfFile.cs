using System.Buffers.Binary;
using System.Text;

namespace NerClassify.Native;

/// <summary>
/// A read-only view of the dynamic-linking version tables of a 64-bit little-endian ELF shared
/// object: the versions it defines (<c>.gnu.version_d</c>), the versions it requires from each
/// library (<c>.gnu.version_r</c>) and which dynamic symbols use each version (<c>.gnu.version</c>).
/// </summary>
internal sealed class ElfFile
{
    private const uint SectionTypeDynamicSymbols = 11;
    private const uint SectionTypeVersionDefinitions = 0x6ffffffd;
    private const uint SectionTypeVersionRequirements = 0x6ffffffe;
    private const uint SectionTypeSymbolVersions = 0x6fffffff;

    private readonly byte[] _bytes;
    private readonly List<Section> _sections = [];

    private ElfFile(string path, byte[] bytes)
    {
        Path = path;
        _bytes = bytes;
        ReadSectionHeaders();
    }

    /// <summary>The file this view was read from.</summary>
    public string Path { get; }

    /// <summary>Reads and validates the ELF header of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file.</exception>
    public static ElfFile Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
        {
            throw new InvalidDataException($"'{path}' is not an ELF file.");
        }

        if (bytes[4] != 2 || bytes[5] != 1)
        {
            throw new InvalidDataException($"'{path}' is not a 64-bit little-endian ELF file; only those are supported.");
        }

        return new ElfFile(path, bytes);
    }

    /// <summary>The version names this object defines, such as <c>GLIBCXX_3.4.30</c> in libstdc++.</summary>
    public IReadOnlySet<string> DefinedVersions()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Section section in _sections.Where(s => s.Type == SectionTypeVersionDefinitions))
        {
            Section strings = _sections[(int)section.Link];
            long entry = (long)section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32
                ushort auxCount = U16(entry + 6);
                long aux = entry + U32(entry + 12);
                for (int j = 0; j < auxCount; j++)
                {
                    // Elf64_Verdaux: vda_name u32, vda_next u32
                    names.Add(ReadString(strings, U32(aux)));
                    aux += U32(aux + 4);
                }

                uint next = U32(entry + 16);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return names;
    }

    /// <summary>Every version this object requires, one entry per (library, version) pair.</summary>
    public IReadOnlyList<VersionRequirement> VersionRequirements()
    {
        var requirements = new List<VersionRequirement>();
        foreach (Section section in _sections.Where(s => s.Type == SectionTypeVersionRequirements))
        {
            Section strings = _sections[(int)section.Link];
            long entry = (long)section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                ushort auxCount = U16(entry + 2);
                string library = ReadString(strings, U32(entry + 4));
                long aux = entry + U32(entry + 8);
                for (int j = 0; j < auxCount; j++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                    requirements.Add(new VersionRequirement(
                        library,
                        ReadString(strings, U32(aux + 8)),
                        U16(aux + 4),
                        U16(aux + 6),
                        aux + 4));
                    aux += U32(aux + 12);
                }

                uint next = U32(entry + 12);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return requirements;
    }

    /// <summary>The names of the dynamic symbols bound to the version with index <paramref name="versionIndex"/>.</summary>
    public IReadOnlyList<string> SymbolsUsingVersion(ushort versionIndex)
    {
        Section? symbols = _sections.FirstOrDefault(s => s.Type == SectionTypeDynamicSymbols);
        Section? versions = _sections.FirstOrDefault(s => s.Type == SectionTypeSymbolVersions);
        if (symbols is null || versions is null)
        {
            return [];
        }

        Section strings = _sections[(int)symbols.Link];
        const int symbolSize = 24;
        long count = (long)symbols.Size / symbolSize;
        var names = new List<string>();
        for (long i = 0; i < count; i++)
        {
            // The top bit of a .gnu.version entry marks a hidden symbol; the rest is the index.
            if ((U16((long)versions.Offset + (2 * i)) & 0x7fff) == versionIndex)
            {
                names.Add(ReadString(strings, U32((long)symbols.Offset + (i * symbolSize))));
            }
        }

        return names;
    }

    /// <summary>
    /// Returns the file's bytes with <paramref name="requirements"/> marked weak; the file on disk is not touched.
    /// </summary>
    public byte[] WithWeakRequirements(IEnumerable<VersionRequirement> requirements)
    {
        byte[] copy = (byte[])_bytes.Clone();
        foreach (VersionRequirement requirement in requirements)
        {
            var flags = (ushort)(requirement.Flags | VersionRequirement.WeakFlag);
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan((int)requirement.FlagsOffset, 2), flags);
        }

        return copy;
    }

    private void ReadSectionHeaders()
    {
        ulong tableOffset = U64(0x28);
        ushort entrySize = U16(0x3a);
        ushort count = U16(0x3c);
        if (tableOffset == 0 || count == 0)
        {
            return;
        }

        if (entrySize < 64 || (long)tableOffset + ((long)entrySize * count) > _bytes.Length)
        {
            throw new InvalidDataException($"'{Path}' has a truncated or malformed section header table.");
        }

        for (int i = 0; i < count; i++)
        {
            long header = (long)tableOffset + ((long)i * entrySize);
            var section = new Section(U32(header + 4), U64(header + 0x18), U64(header + 0x20), U32(header + 0x28), U32(header + 0x2c));
            if (section.Type != 8 && section.Offset + section.Size > (ulong)_bytes.Length)
            {
                throw new InvalidDataException($"'{Path}': section {i} lies past the end of the file.");
            }

            _sections.Add(section);
        }
    }

    private string ReadString(Section table, uint offset)
    {
        int start = checked((int)(table.Offset + offset));
        int end = Array.IndexOf(_bytes, (byte)0, start);
        if (end < 0)
        {
            throw new InvalidDataException($"'{Path}': unterminated string at offset {start}.");
        }

        return Encoding.ASCII.GetString(_bytes, start, end - start);
    }

    private ushort U16(long offset) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(offset, 2));

    private uint U32(long offset) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(offset, 4));

    private ulong U64(long offset) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(offset, 8));

    private ReadOnlySpan<byte> Slice(long offset, int length)
    {
        if (offset < 0 || offset + length > _bytes.Length)
        {
            throw new InvalidDataException($"'{Path}': a version table points past the end of the file (offset {offset}).");
        }

        return _bytes.AsSpan((int)offset, length);
    }

    private sealed record Section(uint Type, ulong Offset, ulong Size, uint Link, uint Info);
}
