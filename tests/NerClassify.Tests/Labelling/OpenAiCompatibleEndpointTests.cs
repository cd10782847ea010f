using System.ClientModel;
using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.AI;
using NerClassify.Labelling;
using OpenAI;

namespace NerClassify.Tests.Labelling;

public sealed class OpenAiCompatibleEndpointTests
{
    private const string Sentence = "Lamonts said it plans to issue 9 million shares of new common stock .";

    [Fact]
    public async Task LabelAsync_ThroughOpenAiClient_SendsInstructionSentenceAndTemperature()
    {
        await using var server = new FakeOpenAiServer("The topic is 2 (Business).");
        using var client = new OpenAIClient(new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = server.Endpoint })
            .GetChatClient("test-model")
            .AsIChatClient();
        var labeller = new SentenceLabeller(client, SentenceLabellerOptions.Default with { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        var run = await labeller.LabelAsync([Sentence]);

        run.Results[0].Label.Should().Be(2);
        run.Results[0].RawAnswer.Should().Be("The topic is 2 (Business).");
        labeller.ModelId.Should().Be("test-model");
        server.RequestBodies.Should().ContainSingle();
        server.AuthorizationHeaders.Should().ContainSingle().Which.Should().Be("Bearer test-key");

        using var body = JsonDocument.Parse(server.RequestBodies.Single());
        var root = body.RootElement;
        root.GetProperty("model").GetString().Should().Be("test-model");
        root.GetProperty("temperature").GetDouble().Should().BeApproximately(0.2, 1e-6);
        var messages = root.GetProperty("messages").EnumerateArray().ToArray();
        messages.Should().ContainSingle();
        messages[0].GetProperty("role").GetString().Should().Be("user");
        MessageText(messages[0]).Should().Be(labeller.BuildInstruction(Sentence))
            .And.StartWith("Task: Classify the given document based on its topic")
            .And.Contain("2: Business")
            .And.EndWith("Input: " + Sentence);
    }

    // The content of a message is either a string or a list of typed parts.
    private static string MessageText(JsonElement message)
    {
        var content = message.GetProperty("content");
        return content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Where(p => p.GetProperty("type").GetString() == "text").Select(p => p.GetProperty("text").GetString()));
    }
}
