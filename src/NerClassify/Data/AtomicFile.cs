using System.Text;

namespace NerClassify.Data;

/// <summary>Writes a file through a temporary file in the same folder and a rename, so readers never see half a file.</summary>
internal static class AtomicFile
{
    public static async Task WriteAsync(string path, Func<TextWriter, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath) ?? ".";
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                await using (writer.ConfigureAwait(false))
                {
                    writer.NewLine = "\n";
                    await write(writer, cancellationToken).ConfigureAwait(false);
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
