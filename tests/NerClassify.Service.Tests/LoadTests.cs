using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using NerClassify.Inference;
using Xunit.Abstractions;

namespace NerClassify.Service.Tests;

/// <summary>
/// The service under mixed-length traffic on loopback: 16 clients, one 64 x 10,000-character request in the middle,
/// and a short request sent while the large one runs. Bounded: 400 requests, a 60 s client timeout.
/// </summary>
public sealed class LoadTests(ServiceFixture service, ITestOutputHelper output) : IClassFixture<ServiceFixture>
{
    private const int Clients = 16;
    private const int RequestsPerClient = 25;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Predict_MixedTrafficWithOneHugeRequest_NoErrorsEveryAnswerAloneAndAShortRequestIsNotHeldUp(bool microBatching)
    {
        string[] sentences = MixedSentences.Load(seed: 5);
        var random = new Random(17);
        string[][] requests = Enumerable.Range(0, Clients * RequestsPerClient)
            .Select(_ => Enumerable.Range(0, random.Next(4) == 0 ? random.Next(2, 5) : 1).Select(_ => sentences[random.Next(sentences.Length)]).ToArray())
            .ToArray();
        string[] huge = Enumerable.Range(0, 4).Select(k => MixedSentences.Paragraph(sentences, 10_000, seed: k)).ToArray();
        string[] hugeRequest = Enumerable.Range(0, 64).Select(i => huge[i % huge.Length]).ToArray();
        const string Short = "Kofi Mensah met officials in Hanoi.";
        Dictionary<string, Prediction> expected = requests.SelectMany(r => r).Concat(huge).Append(Short).Distinct().ToDictionary(t => t, service.Direct.Predict);

        (WebApplication app, HttpClient client) = await ServiceFixture.StartAsync(service.ModelDirectory,
            ["--Serving:MaxTexts=64", "--Serving:MaxTextChars=10000", $"--Serving:MicroBatching:Enabled={microBatching}"]);
        try
        {
            await ServiceFixture.WaitReadyAsync(client);
            var failures = new ConcurrentBag<string>();
            int next = -1;
            int done = 0;

            async Task Client()
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < requests.Length)
                {
                    await PostAndCheckAsync(client, requests[i], expected, $"request {i}", failures);
                    Interlocked.Increment(ref done);
                }
            }

            Task traffic = Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(Client)));
            while (Volatile.Read(ref done) < requests.Length / 4 && !traffic.IsCompleted)
            {
                await Task.Delay(10);
            }

            // The short request goes out once the huge body is on the wire and the server has had time to start on it.
            var hugeClock = Stopwatch.StartNew();
            var hugeSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task hugeCall = Task.Run(() => PostAndCheckAsync(client, hugeRequest, expected, "the huge request", failures, hugeSent));
            await Task.WhenAny(hugeSent.Task, hugeCall).WaitAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(500);
            bool hugeRunningWhenShortSent = !hugeCall.IsCompleted;
            var shortClock = Stopwatch.StartNew();
            await PostAndCheckAsync(client, [Short], expected, "the short request", failures);
            TimeSpan shortLatency = shortClock.Elapsed;
            bool hugeRunningWhenShortAnswered = !hugeCall.IsCompleted;

            await Task.WhenAll(traffic, hugeCall).WaitAsync(TimeSpan.FromSeconds(120));
            output.WriteLine($"micro-batching {microBatching}: short request {shortLatency.TotalMilliseconds:F0} ms; huge request {hugeClock.Elapsed.TotalMilliseconds:F0} ms; {requests.Length} requests from {Clients} clients");

            failures.Should().BeEmpty();
            hugeRunningWhenShortSent.Should().BeTrue("the short request must be sent while the huge one runs, or the test proves nothing");
            shortLatency.Should().BeLessThan(TimeSpan.FromSeconds(2), "a short request must not wait for a huge one");
            hugeRunningWhenShortAnswered.Should().BeTrue("the short request is answered before the huge one ends");
        }
        finally
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task PostAndCheckAsync(HttpClient client, string[] texts, Dictionary<string, Prediction> expected, string what, ConcurrentBag<string> failures, TaskCompletionSource? sent = null)
    {
        object body = texts.Length == 1 ? new { text = texts[0] } : new { texts };
        using var content = new SignallingContent(JsonContent.Create(body), sent);
        using HttpResponseMessage response = await client.PostAsync("/v1/predict", content);
        string json = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            failures.Add($"{what}: {(int)response.StatusCode} {json}");
            return;
        }

        JsonArray predictions = JsonNode.Parse(json)!["predictions"]!.AsArray();
        if (predictions.Count != texts.Length)
        {
            failures.Add($"{what}: {predictions.Count} predictions for {texts.Length} texts");
            return;
        }

        for (int k = 0; k < texts.Length; k++)
        {
            if (PredictEndpointTests.Mismatch(predictions[k]!, expected[texts[k]]) is { } why)
            {
                failures.Add($"{what}, text {k}: {why}");
            }
        }
    }
}

/// <summary>A request body that says when it has been written to the connection.</summary>
internal sealed class SignallingContent : HttpContent
{
    private readonly HttpContent inner;
    private readonly TaskCompletionSource? sent;

    public SignallingContent(HttpContent inner, TaskCompletionSource? sent)
    {
        this.inner = inner;
        this.sent = sent;
        Headers.ContentType = inner.Headers.ContentType;
    }

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await inner.CopyToAsync(stream);
        await stream.FlushAsync();
        sent?.TrySetResult();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Real sentences of mixed length: CoNLL-2003's validation split when ../shared/data has it, else sentences made here.</summary>
internal static class MixedSentences
{
    private static readonly string[] Words =
    [
        "the", "minister", "said", "on", "Monday", "that", "talks", "in", "Geneva", "with", "officials", "from", "Germany", "and",
        "France", "would", "resume", "next", "week", "shares", "of", "Siemens", "rose", "3.5", "percent", "after", "Reuters",
        "reported", "John", "Smith", "scored", "twice", "for", "Arsenal", "against", "Chelsea", "at", "the", "stadium", ",",
    ];

    public static string[] Load(int seed)
    {
        string? file = FindData();
        if (file is not null)
        {
            string[] fromFile = FromConll(file).Take(2000).ToArray();
            if (fromFile.Length > 100)
            {
                return fromFile;
            }
        }

        var random = new Random(seed);

        // Headlines, sentences and short paragraphs, as in news text: 1 to 120 words.
        return Enumerable.Range(0, 500).Select(i =>
        {
            int length = (i % 10) switch { 0 => random.Next(1, 4), < 8 => random.Next(5, 40), _ => random.Next(40, 121) };
            return string.Join(' ', Enumerable.Range(0, length).Select(_ => Words[random.Next(Words.Length)])) + " .";
        }).ToArray();
    }

    /// <summary>Sentences joined to exactly <paramref name="characters"/> characters.</summary>
    public static string Paragraph(string[] sentences, int characters, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        while (text.Length < characters)
        {
            text.Append(sentences[random.Next(sentences.Length)]).Append(' ');
        }

        return text.ToString(0, characters);
    }

    private static IEnumerable<string> FromConll(string file)
    {
        var words = new List<string>();
        foreach (string line in File.ReadLines(file))
        {
            if (line.StartsWith("-DOCSTART-", StringComparison.Ordinal))
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                if (words.Count > 0)
                {
                    yield return string.Join(' ', words);
                    words.Clear();
                }

                continue;
            }

            words.Add(line.Split(' ', '\t')[0]);
        }
    }

    private static string? FindData()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NerClassify.Library.sln")))
            {
                string file = Path.Combine(dir.FullName, "..", "shared", "data", "conll2003", "valid.txt");
                return File.Exists(file) ? file : null;
            }
        }

        return null;
    }
}
