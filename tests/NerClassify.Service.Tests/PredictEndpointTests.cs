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

public sealed class PredictEndpointTests(ServiceFixture service, ITestOutputHelper output) : IClassFixture<ServiceFixture>
{
    private static readonly string[] Texts =
    [
        "John Smith visited Paris today.",
        "Mary won the match in London.",
        "Google shares on the market.",
        "  The United Nations met in Berlin (Germany).  ",
        "Microsoft stock was new today!",
        "The team won the game in New York.",
        "Reuters",
        "A goal for France and a goal for Germany at the match with Smith.",
    ];

    [Fact]
    public async Task Predict_1000RequestsFrom32Clients_AllSucceedAndEqualDirectPredict()
    {
        Dictionary<string, Prediction> expected = Texts.ToDictionary(t => t, service.Direct.Predict);
        var latencies = new ConcurrentBag<double>();
        var failures = new ConcurrentBag<string>();
        int next = -1;

        async Task Client()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < 1000)
            {
                // Every fifth request sends three texts at once; the others one.
                string[] texts = i % 5 == 0 ? [Texts[i % 8], Texts[(i + 3) % 8], Texts[(i + 5) % 8]] : [Texts[i % 8]];
                object body = texts.Length == 1 ? new { text = texts[0] } : new { texts };
                var clock = Stopwatch.StartNew();
                using HttpResponseMessage response = await service.Client.PostAsJsonAsync("/v1/predict", body);
                string json = await response.Content.ReadAsStringAsync();
                latencies.Add(clock.Elapsed.TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"request {i}: {(int)response.StatusCode} {json}");
                    continue;
                }

                JsonArray predictions = JsonNode.Parse(json)!["predictions"]!.AsArray();
                for (int k = 0; k < texts.Length; k++)
                {
                    if (Mismatch(predictions[k]!, expected[texts[k]]) is { } why)
                    {
                        failures.Add($"request {i} text {k}: {why}");
                    }
                }
            }
        }

        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(Client)));
        total.Stop();

        double[] sorted = latencies.Order().ToArray();
        output.WriteLine($"1,000 requests, 32 clients: {total.Elapsed.TotalSeconds:F2} s, {1000 / total.Elapsed.TotalSeconds:F0} req/s, p50 {sorted[sorted.Length / 2]:F1} ms, p99 {sorted[(int)(sorted.Length * 0.99) - 1]:F1} ms");
        failures.Should().BeEmpty();
        latencies.Should().HaveCount(1000);
    }

    [Fact]
    public async Task Predict_TextsAsOneDocument_AnswersThePredictionsRevisedByTheirDocument()
    {
        string[] document = [Texts[0], Texts[1], Texts[5], Texts[7]];
        IReadOnlyList<Prediction> alone = service.Direct.PredictBatch(document);
        IReadOnlyList<Prediction> expected = DocumentContext.Apply(alone);

        using HttpResponseMessage response = await service.Client.PostAsJsonAsync("/v1/predict", new { texts = document, document = true });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonArray predictions = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictions"]!.AsArray();
        predictions.Select((p, k) => Mismatch(p!, expected[k])).Should().OnlyContain(why => why == null);
        predictions.Select(p => (float)p!["sentence"]!["score"]!).Should().NotEqual(alone.Select(p => p.Sentence!.Probability), "the document must have revised the classes");
    }

    [Theory]
    [InlineData("{\"text\": \"unterminated")]
    [InlineData("not json")]
    [InlineData("{\"texts\": [\"a\", 3]}")]
    [InlineData("{}")]
    [InlineData("{\"text\": \"a\", \"texts\": [\"b\"]}")]
    [InlineData("{\"texts\": [\"a\", null]}")]
    public async Task Predict_MalformedOrInvalidBody_Returns400(string body)
    {
        using HttpResponseMessage response = await PostRawAsync(body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Predict_MoreTextsThanConfigured_Returns413NamingTheLimit()
    {
        using HttpResponseMessage response = await service.Client.PostAsJsonAsync("/v1/predict", new { texts = Enumerable.Repeat("Paris", 9).ToArray() });

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).Should().Contain("at most 8");
    }

    [Fact]
    public async Task Predict_TextLongerThanConfigured_Returns413()
    {
        using HttpResponseMessage response = await service.Client.PostAsJsonAsync("/v1/predict", new { text = new string('a', 501) });

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).Should().Contain("at most 500");
    }

    [Fact]
    public async Task Predict_BodyOverTheByteLimit_Returns413()
    {
        using HttpResponseMessage response = await PostRawAsync($"{{\"text\": \"{new string('a', 30_000)}\"}}");

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Metrics_AfterPredictions_ExposesRequestsBatchSizesAndLatency()
    {
        using (await service.Client.PostAsJsonAsync("/v1/predict", new { texts = Texts }))
        {
        }

        string metrics = await GetMetricsAsync("nerclassify_batch_size");

        metrics.Should().Contain("nerclassify_requests_total");
        metrics.Should().Contain("nerclassify_batch_size_bucket");
        metrics.Should().Contain("nerclassify_request_duration_seconds_bucket");
    }

    [Fact]
    public async Task Healthz_Running_Returns200()
    {
        using HttpResponseMessage response = await service.Client.GetAsync("/healthz");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> PostRawAsync(string body) =>
        await service.Client.PostAsync("/v1/predict", new StringContent(body, Encoding.UTF8, "application/json"));

    private async Task<string> GetMetricsAsync(string mustContain)
    {
        // The Prometheus exporter caches a scrape briefly; ask again until the new instruments show.
        string text = string.Empty;
        for (int attempt = 0; attempt < 50 && !text.Contains(mustContain, StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 100);
            text = await service.Client.GetStringAsync("/metrics");
        }

        return text;
    }

    internal static string? Mismatch(JsonNode actual, Prediction expected)
    {
        if ((string?)actual["text"] != expected.Text)
        {
            return $"text {(string?)actual["text"]} != {expected.Text}";
        }

        string got = string.Join(";", actual["entities"]!.AsArray().Select(e => $"{(string?)e!["type"]}:{(int)e["start"]!}-{(int)e["end"]!}:{(string?)e["text"]}"));
        string want = string.Join(";", expected.Entities.Select(e => $"{e.Type}:{e.Start}-{e.End}:{e.Text}"));
        if (got != want)
        {
            return $"entities {got} != {want}";
        }

        float[] gotScores = actual["entities"]!.AsArray().Select(e => (float)e!["score"]!).ToArray();
        if (gotScores.Zip(expected.Entities, (g, e) => Math.Abs(g - e.Score)).Any(d => d > 1e-4f))
        {
            return "entity scores differ";
        }

        JsonNode sentence = actual["sentence"]!;
        if ((string?)sentence["label"] != expected.Sentence!.Label || Math.Abs((float)sentence["score"]! - expected.Sentence.Probability) > 1e-4f)
        {
            return $"sentence {sentence.ToJsonString()} != {expected.Sentence.Label} {expected.Sentence.Probability}";
        }

        return null;
    }
}
