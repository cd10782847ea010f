using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace NerClassify.Hub;

/// <summary>
/// An exclusive lock held by keeping a file open with <see cref="FileShare.None"/> (an advisory
/// <c>flock</c> on Unix, the same lock Python's <c>filelock</c> takes), so downloads of one blob by
/// several threads or processes run one at a time. The file gets mode 0664, as <c>huggingface_hub</c> gives it,
/// so that the users of a shared cache can all wait on it.
/// </summary>
internal sealed class FileLock : IDisposable
{
    /// <summary>Group-writable, whatever the umask: <c>huggingface_hub</c>'s <c>WeakFileLock</c> mode.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <summary>Opens <paramref name="path"/> exclusively, retrying while another holder has it.</summary>
    /// <exception cref="TimeoutException">The lock was still held after <paramref name="timeout"/>; the message names the file.</exception>
    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var clock = Stopwatch.StartNew();
        bool logged = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new FileLock(Open(path));
            }
            catch (IOException) when (timeout == Timeout.InfiniteTimeSpan || clock.Elapsed < timeout)
            {
                if (!logged)
                {
                    HubLog.WaitingForLock(logger, path);
                    logged = true;
                }

                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new TimeoutException($"Gave up after {timeout} waiting for the lock '{path}': another process is downloading the same file. Delete the lock file if no download is running.", e);
            }
        }
    }

    private static FileStream Open(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }

        var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, UnixCreateMode = Mode });
        try
        {
            // The umask narrowed the create mode; set it exactly, as Python's filelock does with fchmod.
            if (File.GetUnixFileMode(stream.SafeFileHandle) != Mode)
            {
                File.SetUnixFileMode(stream.SafeFileHandle, Mode);
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // Another user's lock file: only its owner may change the mode.
        }

        return stream;
    }

    /// <summary>Releases the lock. The file stays: deleting it could let two holders lock different files.</summary>
    public void Dispose() => _stream.Dispose();
}
