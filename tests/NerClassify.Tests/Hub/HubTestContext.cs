using System.Text;
using Microsoft.Extensions.Logging;
using NerClassify.Hub;

namespace NerClassify.Tests.Hub;

/// <summary>A fake hub serving one tiny model, a temporary cache folder, and a client that ignores the process environment.</summary>
internal sealed class HubTestContext : IAsyncDisposable
{
    public const string ModelId = "acme/tiny-bert";

    public HubTestContext(int seed = 42, bool safetensors = true, bool pytorch = false)
    {
        var random = new Random(seed);
        Weights = new byte[300 * 1024 + 17];
        random.NextBytes(Weights);
        var files = new Dictionary<string, byte[]>
        {
            [HubClient.ConfigFile] = Encoding.UTF8.GetBytes("""{"hidden_size": 32, "num_hidden_layers": 2}"""),
            [HubClient.VocabFile] = Encoding.UTF8.GetBytes("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n"),
            [HubClient.TokenizerConfigFile] = Encoding.UTF8.GetBytes("""{"do_lower_case": false}"""),
        };
        if (safetensors)
        {
            files[HubClient.SafetensorsFile] = Weights;
        }

        if (pytorch)
        {
            files[HubClient.PyTorchFile] = Weights;
        }

        Server.Models[ModelId] = files;
        CacheDirectory = Path.Combine(Path.GetTempPath(), "nerclassify-hub-" + Guid.NewGuid().ToString("N"));

        // A home of its own, so that a token file in the real ~/.cache/huggingface never reaches a test.
        Environment["HOME"] = Path.Combine(CacheDirectory, "home");
        Environment["USERPROFILE"] = Path.Combine(CacheDirectory, "home");
        Client = NewClient();
    }

    public FakeHubServer Server { get; } = new();

    public byte[] Weights { get; }

    public string CacheDirectory { get; }

    public HubClient Client { get; }

    public Dictionary<string, string?> Environment { get; } = [];

    public HubOptions Options => new() { Endpoint = Server.Endpoint, CacheDirectory = CacheDirectory, Offline = false };

    public string ModelFolder => Path.Combine(CacheDirectory, "models--acme--tiny-bert");

    public HubClient NewClient(ILogger<HubClient>? logger = null) => new(null, logger, name => Environment.GetValueOrDefault(name));

    /// <summary>Writes a snapshot of <paramref name="fileNames"/> as Python's <c>huggingface_hub</c> does: blobs, relative links, <c>refs/main</c>; nothing else.</summary>
    public string WritePythonSnapshot(params string[] fileNames)
    {
        string blobs = Path.Combine(ModelFolder, "blobs");
        string snapshot = Path.Combine(ModelFolder, "snapshots", FakeHubServer.Commit);
        Directory.CreateDirectory(blobs);
        Directory.CreateDirectory(snapshot);
        Directory.CreateDirectory(Path.Combine(ModelFolder, "refs"));
        File.WriteAllText(Path.Combine(ModelFolder, "refs", "main"), FakeHubServer.Commit);
        foreach (string fileName in fileNames)
        {
            byte[] content = Server.Models[ModelId][fileName];
            string etag = fileName.EndsWith(".safetensors", StringComparison.Ordinal) ? FakeHubServer.Sha256(content) : FakeHubServer.GitBlobHash(content);
            File.WriteAllBytes(Path.Combine(blobs, etag), content);
            File.CreateSymbolicLink(Path.Combine(snapshot, fileName), Path.Combine("..", "..", "blobs", etag));
        }

        return snapshot;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        if (Directory.Exists(CacheDirectory))
        {
            Directory.Delete(CacheDirectory, recursive: true);
        }
    }
}
