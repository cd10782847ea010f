using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NerClassify.Tests.Hub;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 that answers like the Hugging Face hub's resolve endpoint:
/// small files with a git-hash ETag, LFS files (<c>.safetensors</c>, <c>.bin</c>) with a 302 to
/// <c>/cdn/{sha256}</c> and <c>X-Linked-Etag</c>/<c>X-Linked-Size</c>, Range support on the CDN,
/// the tree API (<c>/api/models/{model}/tree/{revision}?recursive=true</c>, paged with <c>Link: rel="next"</c>),
/// and faults on demand (dropped connections, corrupt bodies). It counts every request.
/// </summary>
internal sealed class FakeHubServer : IAsyncDisposable
{
    public const string Commit = "4b2a7c3f9e1d0a8b6c5d4e3f2a1b0c9d8e7f6a5b";

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _drops;
    private int _corruptions;
    private int _disposed;

    public FakeHubServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Endpoint = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string Endpoint { get; }

    /// <summary>Model id, then file name, then content.</summary>
    public ConcurrentDictionary<string, Dictionary<string, byte[]>> Models { get; } = new();

    /// <summary>The commit <c>main</c> points at.</summary>
    public string CurrentCommit { get; set; } = Commit;

    /// <summary>When set, every resolve request must send <c>Authorization: Bearer {token}</c>, else 401.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>How many CDN bodies to cut off halfway by closing the connection.</summary>
    public int DropsRemaining { get => Volatile.Read(ref _drops); set => Volatile.Write(ref _drops, value); }

    /// <summary>How many CDN bodies to send with one byte flipped.</summary>
    public int CorruptionsRemaining { get => Volatile.Read(ref _corruptions); set => Volatile.Write(ref _corruptions, value); }

    /// <summary>When true, a 404 for a missing file carries <c>X-Error-Code: EntryNotFound</c> but no <c>X-Repo-Commit</c>.</summary>
    public bool EntryNotFoundWithoutCommit { get; set; }

    /// <summary>Old model id, then the new one: requests under the old name get the hub's 307 with a relative Location.</summary>
    public ConcurrentDictionary<string, string> RenamedModels { get; } = new();

    /// <summary>When false, the tree API answers a bare 404, as a mirror without the API would.</summary>
    public bool TreeApi { get; set; } = true;

    /// <summary>How many entries one page of the tree API holds before a <c>Link: rel="next"</c>.</summary>
    public int TreePageSize { get; set; } = 1000;

    /// <summary>A pause after each 16 KiB of a CDN body, so concurrent downloads overlap.</summary>
    public TimeSpan ChunkDelay { get; set; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public int RequestCount => Requests.Count;

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static string GitBlobHash(byte[] content)
    {
        byte[] header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. content]));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopping. InvalidOperationException: the loop reached AcceptTcpClientAsync after Stop(), a race with a short test.
        }

        _stop.Dispose();
    }

    private static bool IsLfs(string fileName) => fileName.EndsWith(".safetensors", StringComparison.Ordinal) || fileName.EndsWith(".bin", StringComparison.Ordinal);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                string? requestLine = await reader.ReadLineAsync();
                if (requestLine is null)
                {
                    return;
                }

                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                string? line;
                while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
                {
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }

                string[] parts = requestLine.Split(' ');
                string method = parts[0];
                string path = parts[1];
                Requests.Enqueue(new RecordedRequest(method, path, headers.GetValueOrDefault("Range"), headers.GetValueOrDefault("Authorization")));
                await RespondAsync(stream, method, path, headers);
            }
            catch (IOException)
            {
                // The client went away.
            }
        }
    }

    private async Task RespondAsync(NetworkStream stream, string method, string path, Dictionary<string, string> headers)
    {
        bool head = method == "HEAD";
        if (path.StartsWith("/cdn/", StringComparison.Ordinal))
        {
            await ServeCdnAsync(stream, head, path["/cdn/".Length..], headers.GetValueOrDefault("Range"));
            return;
        }

        foreach ((string oldName, string newName) in RenamedModels)
        {
            foreach (string prefix in new[] { $"/api/models/{oldName}/", $"/{oldName}/" })
            {
                if (path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    // The hub's answer for a renamed repository: a redirect relative to its own host.
                    string moved = prefix.Replace(oldName, newName, StringComparison.Ordinal) + path[prefix.Length..];
                    await WriteAsync(stream, head, 307, [("Location", moved)], []);
                    return;
                }
            }
        }

        if (path.StartsWith("/api/models/", StringComparison.Ordinal) && TreeApi)
        {
            await ServeTreeAsync(stream, head, path, headers);
            return;
        }

        int resolve = path.IndexOf("/resolve/", StringComparison.Ordinal);
        if (resolve < 0)
        {
            await WriteAsync(stream, head, 404, [], []);
            return;
        }

        string model = path[1..resolve];
        string[] rest = path[(resolve + "/resolve/".Length)..].Split('/', 2);
        string revision = Uri.UnescapeDataString(rest[0]);
        string fileName = Uri.UnescapeDataString(rest[1]);
        if (RequiredToken is { } token && headers.GetValueOrDefault("Authorization") != $"Bearer {token}")
        {
            await WriteAsync(stream, head, 401, [], []);
            return;
        }

        if (!Models.TryGetValue(model, out Dictionary<string, byte[]>? files))
        {
            await WriteAsync(stream, head, 404, [("X-Error-Code", "RepoNotFound"), ("X-Error-Message", "Repository not found")], []);
            return;
        }

        if (revision != "main" && revision != CurrentCommit)
        {
            await WriteAsync(stream, head, 404, [("X-Error-Code", "RevisionNotFound")], []);
            return;
        }

        (string, string) commitHeader = ("X-Repo-Commit", CurrentCommit);
        if (!files.TryGetValue(fileName, out byte[]? content))
        {
            await WriteAsync(stream, head, 404, EntryNotFoundWithoutCommit ? [("X-Error-Code", "EntryNotFound")] : [("X-Error-Code", "EntryNotFound"), commitHeader], []);
            return;
        }

        if (IsLfs(fileName))
        {
            string sha = Sha256(content);
            await WriteAsync(
                stream,
                head,
                302,
                [("Location", $"{Endpoint}/cdn/{sha}"), commitHeader, ("X-Linked-Etag", $"\"{sha}\""), ("X-Linked-Size", content.Length.ToString()), ("ETag", $"\"{GitBlobHash(content)}\"")],
                []);
            return;
        }

        await WriteAsync(stream, head, 200, [commitHeader, ("ETag", $"W/\"{GitBlobHash(content)}\"")], content);
    }

    /// <summary>The hub's tree API: files (with <c>lfs</c> for LFS files) and the folders above them, sorted, one page at a time.</summary>
    private async Task ServeTreeAsync(NetworkStream stream, bool head, string path, Dictionary<string, string> headers)
    {
        string[] pathAndQuery = path.Split('?', 2);
        string[] parts = pathAndQuery[0]["/api/models/".Length..].Split("/tree/", 2);
        Dictionary<string, string> query = (pathAndQuery.Length > 1 ? pathAndQuery[1] : string.Empty)
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : string.Empty);
        if (RequiredToken is { } token && headers.GetValueOrDefault("Authorization") != $"Bearer {token}")
        {
            await WriteAsync(stream, head, 401, [], []);
            return;
        }

        if (parts.Length != 2 || !Models.TryGetValue(parts[0], out Dictionary<string, byte[]>? files))
        {
            await WriteAsync(stream, head, 404, [("X-Error-Code", "RepoNotFound")], []);
            return;
        }

        string revision = Uri.UnescapeDataString(parts[1]);
        if (revision != "main" && revision != CurrentCommit)
        {
            await WriteAsync(stream, head, 404, [("X-Error-Code", "RevisionNotFound")], []);
            return;
        }

        var entries = new List<(string Path, object Json)>();
        foreach (string folder in files.Keys.Where(f => f.Contains('/')).Select(f => f[..f.LastIndexOf('/')]).Distinct())
        {
            entries.Add((folder, new { type = "directory", oid = GitBlobHash(Encoding.UTF8.GetBytes(folder)), size = 0, path = folder }));
        }

        foreach ((string name, byte[] content) in files)
        {
            entries.Add((name, IsLfs(name)
                ? new { type = "file", oid = GitBlobHash(content), size = content.Length, path = name, lfs = new { oid = Sha256(content), size = content.Length, pointerSize = 134 } }
                : new { type = "file", oid = GitBlobHash(content), size = content.Length, path = name }));
        }

        int from = query.TryGetValue("cursor", out string? cursor) ? int.Parse(cursor) : 0;
        object[] page = entries.OrderBy(e => e.Path, StringComparer.Ordinal).Skip(from).Take(TreePageSize).Select(e => e.Json).ToArray();
        (string, string)[] link = from + TreePageSize < entries.Count
            ? [("Link", $"<{Endpoint}{pathAndQuery[0]}?recursive=true&cursor={from + TreePageSize}>; rel=\"next\"")]
            : [];
        await WriteAsync(stream, head, 200, [.. link, ("Content-Type", "application/json")], JsonSerializer.SerializeToUtf8Bytes(page));
    }

    private async Task ServeCdnAsync(NetworkStream stream, bool head, string sha, string? range)
    {
        byte[]? content = Models.Values.SelectMany(files => files.Values).FirstOrDefault(c => Sha256(c) == sha);
        if (content is null)
        {
            await WriteAsync(stream, head, 404, [], []);
            return;
        }

        long from = range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) ? long.Parse(range[6..].TrimEnd('-')) : 0;
        if (from >= content.Length)
        {
            await WriteAsync(stream, head, 416, [("Content-Range", $"bytes */{content.Length}")], []);
            return;
        }

        byte[] body = content[(int)from..];
        if (Interlocked.Decrement(ref _corruptions) >= 0)
        {
            body = (byte[])body.Clone();
            body[body.Length / 2] ^= 0xFF;
        }

        bool drop = Interlocked.Decrement(ref _drops) >= 0;
        (string, string)[] extra = from > 0 ? [("Content-Range", $"bytes {from}-{content.Length - 1}/{content.Length}")] : [];
        await WriteAsync(stream, head, from > 0 ? 206 : 200, extra, body, drop ? body.Length / 2 : null);
    }

    private async Task WriteAsync(NetworkStream stream, bool head, int status, (string Name, string Value)[] headers, byte[] body, int? dropAfter = null)
    {
        var text = new StringBuilder();
        text.Append($"HTTP/1.1 {status} {(HttpStatusCode)status}\r\n");
        foreach ((string name, string value) in headers)
        {
            text.Append($"{name}: {value}\r\n");
        }

        text.Append($"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
        if (head)
        {
            return;
        }

        int end = dropAfter ?? body.Length;
        for (int offset = 0; offset < end; offset += 16384)
        {
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(16384, end - offset)));
            if (ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(ChunkDelay);
            }
        }

        await stream.FlushAsync();
    }
}
