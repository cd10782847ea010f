using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using NerClassify.Inference;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Service.Tests;

/// <summary>What the page needs from the service, over HTTP without a browser: the page and its files, <c>/v1/model</c>, and per-class sentence scores.</summary>
public sealed class PageEndpointTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Root_Get_ServesThePageWithAContentSecurityPolicy()
    {
        using HttpResponseMessage response = await service.Client.GetAsync("/");
        string html = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self'").And.Contain("default-src 'none'");
        html.Should().Contain("<title>NerClassify</title>").And.Contain("/ui/app.js").And.Contain("/ui/app.css");
    }

    [Theory]
    [InlineData("/ui/app.js", "text/javascript")]
    [InlineData("/ui/app.css", "text/css")]
    [InlineData("/ui/icon.svg", "image/svg+xml")]
    public async Task Assets_Get_AreServedFromTheAssembly(string path, string mediaType)
    {
        using HttpResponseMessage response = await service.Client.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be(mediaType);
        (await response.Content.ReadAsByteArrayAsync()).Should().NotBeEmpty();
    }

    [Fact]
    public async Task Model_Loaded_AnswersEntityTypesSentenceClassesAndLimits()
    {
        JsonNode model = JsonNode.Parse(await service.Client.GetStringAsync("/v1/model"))!;

        ((string?)model["task"]).Should().Be("Multitask");
        model["entityTypes"]!.AsArray().Select(t => (string?)t).Should().Equal("LOC", "ORG", "PER");
        model["sentenceLabels"]!.AsArray().Select(t => (string?)t).Should().Equal(TinyData.Topics);
        ((int)model["maxTexts"]!).Should().Be(8);
        ((int)model["maxTextChars"]!).Should().Be(500);
    }

    [Fact]
    public async Task Predict_Sentence_ListsEveryClassScoreHighestFirst()
    {
        const string text = "John Smith visited Paris today.";
        SentenceClassification expected = service.Direct.Predict(text).Sentence!;

        using HttpResponseMessage response = await service.Client.PostAsJsonAsync("/v1/predict", new { text });

        JsonNode sentence = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictions"]![0]!["sentence"]!;
        (string Label, float Score)[] scores = sentence["scores"]!.AsArray().Select(s => ((string)s!["label"]!, (float)s["score"]!)).ToArray();
        scores.Select(s => s.Label).Should().BeEquivalentTo(TinyData.Topics);
        scores.Select(s => s.Score).Should().BeInDescendingOrder();
        scores.Should().OnlyContain(s => Math.Abs(s.Score - expected.Probabilities[s.Label]) < 1e-4f);
        scores[0].Label.Should().Be((string?)sentence["label"]);
    }
}
