using System.Runtime.InteropServices;

namespace NerClassify.IO;

/// <summary>
/// The few POSIX calls that .NET does not expose and that a crash-safe save needs: an atomic exchange of two
/// directories, hard links, write-permission checks and <c>fsync</c> of directories.
/// </summary>
internal static partial class UnixFileSystem
{
    private const string Libc = "libc";
    private const int AtCurrentDirectory = -100; // AT_FDCWD
    private const uint RenameExchange = 2; // RENAME_EXCHANGE
    private const int WriteAccess = 2; // W_OK on Linux and macOS
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC on Linux
    private const int PermissionDenied = 13; // EACCES
    private const int InvalidArgument = 22; // EINVAL
    private const int NotImplemented = 38; // ENOSYS on Linux
    private const int NotSupported = 95; // EOPNOTSUPP on Linux

    /// <summary>
    /// Swaps the directory entries <paramref name="first"/> and <paramref name="second"/> in one step
    /// (<c>renameat2</c> with <c>RENAME_EXCHANGE</c>, Linux 3.15+ and glibc 2.28+), so both paths exist throughout.
    /// </summary>
    /// <returns>False where the call is unavailable: another OS, an older C library, or a file system without it.</returns>
    /// <exception cref="IOException">The exchange is supported but failed; the message names both paths.</exception>
    public static bool TryExchange(string first, string second)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        int result;
        try
        {
            result = RenameAt2(AtCurrentDirectory, first, AtCurrentDirectory, second, RenameExchange);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }

        if (result == 0)
        {
            return true;
        }

        int error = Marshal.GetLastPInvokeError();
        if (error is InvalidArgument or NotImplemented or NotSupported)
        {
            return false;
        }

        throw new IOException($"Cannot exchange '{first}' and '{second}': {Marshal.GetPInvokeErrorMessage(error)}");
    }

    /// <summary>Makes <paramref name="link"/> a second name of the file <paramref name="existing"/>.</summary>
    /// <returns>False where hard links are unavailable here (another OS, another file system, too many links); the caller copies instead.</returns>
    public static bool TryHardLink(string existing, string link)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return Link(existing, link) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Whether this process may create and delete entries in the directory <paramref name="path"/> (<c>access(W_OK)</c>).</summary>
    public static bool IsWritable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        try
        {
            return Access(path, WriteAccess) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return true;
        }
    }

    /// <summary>
    /// Flushes a file or directory to the disk. On Linux, directories too (so that new names survive a power
    /// loss); elsewhere only files, through .NET.
    /// </summary>
    /// <exception cref="IOException">The flush failed; the message names the path.</exception>
    public static void Flush(string path, bool isDirectory)
    {
        if (!OperatingSystem.IsLinux())
        {
            if (!isDirectory && !File.GetAttributes(path).HasFlag(FileAttributes.ReadOnly))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
                stream.Flush(flushToDisk: true);
            }

            return;
        }

        int descriptor = Open(path, ReadOnlyCloseOnExec);
        if (descriptor < 0)
        {
            if (Marshal.GetLastPInvokeError() == PermissionDenied)
            {
                return; // Not readable to us, so not written by us: a file of the user's that was carried over.
            }

            throw new IOException($"Cannot open '{path}' to flush it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                int error = Marshal.GetLastPInvokeError();

                // Some file systems cannot sync a directory; their names are as durable as they get.
                if (error is not (InvalidArgument or NotSupported))
                {
                    throw new IOException($"Cannot flush '{path}' to disk: {Marshal.GetPInvokeErrorMessage(error)}");
                }
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport(Libc, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);

    [LibraryImport(Libc, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string link);

    [LibraryImport(Libc, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
