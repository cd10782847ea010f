using NerClassify.Tests.TestSupport;
using System.Diagnostics;
using System.Net;
using FluentAssertions;
using Microsoft.Extensions.AI;
using NerClassify.Labelling;

namespace NerClassify.Tests.Labelling;

public sealed class SentenceLabellerTests : IDisposable
{
    private static readonly SentenceLabellerOptions Fast = SentenceLabellerOptions.Default with
    {
        InitialBackoff = TimeSpan.Zero,
        MaxBackoff = TimeSpan.Zero,
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    private static readonly string[] Sentences =
    [
        "EU rejects German call to boycott British lamb .",
        "Slask Wroclaw 3 Odra Wodzislaw 1",
        "Lamonts said it plans to issue 9 million shares of new common stock .",
        "WINNIPEG 1996-08-26",
    ];

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LabelAsync_CleanAnswers_LabelsEverySentenceInInputOrder()
    {
        var answers = new Dictionary<string, string> { [Sentences[0]] = "0", [Sentences[1]] = "1", [Sentences[2]] = "2", [Sentences[3]] = "4" };
        var client = FakeChatClient.BySentence(s => answers[s]);

        var run = await new SentenceLabeller(client, Fast).LabelAsync(Sentences);

        run.Results.Select(r => r.Label).Should().Equal(0, 1, 2, 4);
        run.Results.Select(r => r.LabelName).Should().Equal("World", "Sport", "Business", "Other");
        run.Results.Select(r => r.SentenceIndex).Should().Equal(0, 1, 2, 3);
        run.Results.Select(r => r.Text).Should().Equal(Sentences);
        run.Results.Should().OnlyContain(r => r.Attempts == 1 && !r.FromCache && r.Error == null);
        client.Calls.Should().Be(4);
    }

    [Fact]
    public async Task LabelAsync_WordyAnswer_TakesTheSingleClassNamed()
    {
        var client = FakeChatClient.Answering("The topic is 2 (Business).");

        var run = await new SentenceLabeller(client, Fast).LabelAsync([Sentences[2]]);

        run.Results[0].Label.Should().Be(2);
        run.Results[0].RawAnswer.Should().Be("The topic is 2 (Business).");
        client.Calls.Should().Be(1);
    }

    [Fact]
    public async Task LabelAsync_AnswerIsClassName_MapsToItsNumber()
    {
        var client = FakeChatClient.Answering("sport");

        var run = await new SentenceLabeller(client, Fast).LabelAsync([Sentences[1]]);

        run.Results[0].Label.Should().Be(1);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("banana")]
    [InlineData("1 or 2")]
    public async Task LabelAsync_AnswerNamesNoSingleValidClass_RetriesThenUnlabelledWithRawAnswer(string answer)
    {
        var client = FakeChatClient.Answering(answer);

        var run = await new SentenceLabeller(client, Fast with { MaxAttempts = 3 }).LabelAsync([Sentences[0]]);

        var result = run.Results[0];
        result.Label.Should().BeNull();
        result.LabelName.Should().BeNull();
        result.RawAnswer.Should().Be(answer);
        result.Attempts.Should().Be(3);
        result.Error.Should().BeNull();
        client.Calls.Should().Be(3);
        run.Summary.Unlabelled.Should().Be(1);
    }

    [Fact]
    public async Task LabelAsync_InvalidThenValidAnswer_UsesTheRetry()
    {
        var client = FakeChatClient.Answering("banana", "3");

        var run = await new SentenceLabeller(client, Fast).LabelAsync([Sentences[0]]);

        run.Results[0].Label.Should().Be(3);
        run.Results[0].Attempts.Should().Be(2);
        client.Calls.Should().Be(2);
    }

    [Fact]
    public async Task LabelAsync_ClientAlwaysThrows_UnlabelledWithErrorAfterMaxAttempts()
    {
        var client = new FakeChatClient((_, _) => throw new InvalidOperationException("service exploded"));

        var run = await new SentenceLabeller(client, Fast with { MaxAttempts = 2 }).LabelAsync([Sentences[0]]);

        var result = run.Results[0];
        result.Label.Should().BeNull();
        result.RawAnswer.Should().BeNull();
        result.Error.Should().Contain("service exploded");
        result.Attempts.Should().Be(2);
        client.Calls.Should().Be(2);
    }

    [Fact]
    public async Task LabelAsync_RateLimitedOnce_RetriesAfterBackoff()
    {
        var times = new List<long>();
        var clock = Stopwatch.StartNew();
        var client = new FakeChatClient((request, _) =>
        {
            lock (times)
            {
                times.Add(clock.ElapsedMilliseconds);
            }

            return request.CallNumber == 1
                ? throw new HttpRequestException("slow down", null, HttpStatusCode.TooManyRequests)
                : Task.FromResult("1");
        });
        var options = Fast with { InitialBackoff = TimeSpan.FromMilliseconds(150), MaxBackoff = TimeSpan.FromSeconds(1) };

        var run = await new SentenceLabeller(client, options).LabelAsync([Sentences[1]]);

        run.Results[0].Label.Should().Be(1);
        run.Results[0].Attempts.Should().Be(2);
        (times[1] - times[0]).Should().BeGreaterThanOrEqualTo(140);
    }

    [Fact]
    public async Task LabelAsync_RepeatedFailures_WaitsExponentiallyLonger()
    {
        var times = new List<long>();
        var clock = Stopwatch.StartNew();
        var client = new FakeChatClient((_, _) =>
        {
            lock (times)
            {
                times.Add(clock.ElapsedMilliseconds);
            }

            return Task.FromResult("banana");
        });
        var options = Fast with { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) };

        await new SentenceLabeller(client, options).LabelAsync([Sentences[0]]);

        times.Should().HaveCount(3);
        (times[1] - times[0]).Should().BeGreaterThanOrEqualTo(90);
        (times[2] - times[1]).Should().BeGreaterThanOrEqualTo(190);
    }

    [Fact]
    public async Task LabelAsync_RequestTimesOut_RetriesThenUnlabelledWithTimeoutError()
    {
        var client = new FakeChatClient(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return "1";
        });
        var options = Fast with { MaxAttempts = 2, RequestTimeout = TimeSpan.FromMilliseconds(50) };

        var run = await new SentenceLabeller(client, options).LabelAsync([Sentences[0]]);

        run.Results[0].Label.Should().BeNull();
        run.Results[0].Attempts.Should().Be(2);
        run.Results[0].Error.Should().Contain("No answer within");
        client.Calls.Should().Be(2);
    }

    [Fact]
    public async Task LabelAsync_SlowFirstAnswer_TimesOutThenUsesRetry()
    {
        var client = new FakeChatClient(async (request, ct) =>
        {
            if (request.CallNumber == 1)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }

            return "4";
        });

        var run = await new SentenceLabeller(client, Fast with { RequestTimeout = TimeSpan.FromMilliseconds(50) }).LabelAsync([Sentences[3]]);

        run.Results[0].Label.Should().Be(4);
        run.Results[0].Attempts.Should().Be(2);
    }

    [Fact]
    public async Task LabelAsync_CancelledMidRun_ThrowsAndCacheKeepsAnsweredSentences()
    {
        string path = _folder.File("cache.jsonl");
        string[] sentences = Enumerable.Range(0, 10).Select(i => $"Sentence number {i} .").ToArray();
        using var cts = new CancellationTokenSource();
        var client = new FakeChatClient(async (request, ct) =>
        {
            if (request.CallNumber > 3)
            {
                await cts.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return "1";
        });

        await using (var cache = await SentenceLabelCache.OpenAsync(path))
        {
            var labeller = new SentenceLabeller(client, Fast with { MaxConcurrency = 1 }, cache);
            var clock = Stopwatch.StartNew();

            Func<Task> act = () => labeller.LabelAsync(sentences, null, cts.Token);

            await act.Should().ThrowAsync<OperationCanceledException>();
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
            cache.Count.Should().Be(3);
        }

        await using var reopened = await SentenceLabelCache.OpenAsync(path);
        reopened.Count.Should().Be(3);
        var second = FakeChatClient.Answering("1");
        var run = await new SentenceLabeller(second, Fast, reopened).LabelAsync(sentences);
        second.Calls.Should().Be(7);
        run.Results.Take(3).Should().OnlyContain(r => r.FromCache);
        run.Results.Should().OnlyContain(r => r.Label == 1);
    }

    [Fact]
    public async Task LabelAsync_ClientIgnoresCancellation_StillThrowsPromptly()
    {
        using var cts = new CancellationTokenSource();
        var never = new TaskCompletionSource<string>();
        var client = new FakeChatClient((_, _) =>
        {
            cts.CancelAfter(50);
            return never.Task;
        });
        var clock = Stopwatch.StartNew();

        Func<Task> act = () => new SentenceLabeller(client, Fast).LabelAsync([Sentences[0]], null, cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task LabelAsync_RestartWithCache_DoesNotCallTheClient()
    {
        string path = _folder.File("cache.jsonl");
        SentenceLabellingResult first;
        await using (var cache = await SentenceLabelCache.OpenAsync(path))
        {
            first = await new SentenceLabeller(FakeChatClient.Answering("2"), Fast, cache).LabelAsync(Sentences);
        }

        await using var reopened = await SentenceLabelCache.OpenAsync(path);
        var client = FakeChatClient.Answering("0");
        var second = await new SentenceLabeller(client, Fast, reopened).LabelAsync(Sentences);

        client.Calls.Should().Be(0);
        second.Results.Select(r => r.Label).Should().Equal(first.Results.Select(r => r.Label));
        second.Results.Should().OnlyContain(r => r.FromCache && r.Attempts == 0 && r.RawAnswer == "2");
        second.Summary.CacheHits.Should().Be(Sentences.Length);
        second.Summary.ClientCalls.Should().Be(0);
    }

    [Fact]
    public async Task LabelAsync_CacheWithTruncatedLastLine_ReusesTheCompleteAnswers()
    {
        string path = _folder.File("cache.jsonl");
        await using (var cache = await SentenceLabelCache.OpenAsync(path))
        {
            await new SentenceLabeller(FakeChatClient.Answering("1"), Fast, cache).LabelAsync(Sentences);
        }

        await File.AppendAllTextAsync(path, "{\"key\":\"0a1b2c\",\"label\":3,\"ans");

        await using var reopened = await SentenceLabelCache.OpenAsync(path);
        var client = FakeChatClient.Answering("0");
        var run = await new SentenceLabeller(client, Fast, reopened).LabelAsync(Sentences);

        reopened.SkippedLines.Should().Be(1);
        client.Calls.Should().Be(0);
        run.Results.Should().OnlyContain(r => r.Label == 1);
    }

    [Fact]
    public async Task LabelAsync_UnderstoodNoAnswerBefore_ReusesTheCachedRawAnswer()
    {
        string path = _folder.File("cache.jsonl");
        await using (var cache = await SentenceLabelCache.OpenAsync(path))
        {
            await new SentenceLabeller(FakeChatClient.Answering("banana"), Fast with { MaxAttempts = 2 }, cache).LabelAsync([Sentences[0]]);
        }

        await using var reopened = await SentenceLabelCache.OpenAsync(path);
        var client = FakeChatClient.Answering("0");
        var run = await new SentenceLabeller(client, Fast, reopened).LabelAsync([Sentences[0]]);

        client.Calls.Should().Be(0);
        run.Results[0].Should().Match<SentenceLabelResult>(r => r.Label == null && r.RawAnswer == "banana" && r.FromCache);
    }

    [Fact]
    public async Task LabelAsync_FailedRequests_AreNotCached()
    {
        string path = _folder.File("cache.jsonl");
        await using var cache = await SentenceLabelCache.OpenAsync(path);
        var failing = new FakeChatClient((_, _) => throw new InvalidOperationException("down"));

        await new SentenceLabeller(failing, Fast with { MaxAttempts = 2 }, cache).LabelAsync([Sentences[0]]);

        cache.Count.Should().Be(0);
    }

    [Fact]
    public async Task LabelAsync_DifferentModel_DoesNotReuseTheCache()
    {
        string path = _folder.File("cache.jsonl");
        await using var cache = await SentenceLabelCache.OpenAsync(path);
        await new SentenceLabeller(FakeChatClient.Answering("1"), Fast with { ModelId = "model-a" }, cache).LabelAsync(Sentences);
        var client = FakeChatClient.Answering("1");

        await new SentenceLabeller(client, Fast with { ModelId = "model-b" }, cache).LabelAsync(Sentences);

        client.Calls.Should().Be(Sentences.Length);
    }

    [Fact]
    public async Task LabelAsync_DifferentInstruction_DoesNotReuseTheCache()
    {
        string path = _folder.File("cache.jsonl");
        await using var cache = await SentenceLabelCache.OpenAsync(path);
        await new SentenceLabeller(FakeChatClient.Answering("1"), Fast, cache).LabelAsync(Sentences);
        var client = FakeChatClient.Answering("1");
        var options = Fast with { InstructionTemplate = "Pick one of:\n{categories}\nSentence: {sentence}" };

        await new SentenceLabeller(client, options, cache).LabelAsync(Sentences);

        client.Calls.Should().Be(Sentences.Length);
    }

    [Fact]
    public async Task LabelAsync_RepeatedSentence_AsksOnce()
    {
        var client = FakeChatClient.Answering("1");

        var run = await new SentenceLabeller(client, Fast).LabelAsync(["a b", "c d", "a b"]);

        client.Calls.Should().Be(2);
        run.Results.Select(r => r.SentenceIndex).Should().Equal(0, 1, 2);
        run.Results.Should().OnlyContain(r => r.Label == 1);
    }

    [Fact]
    public async Task LabelAsync_MaxConcurrency_BoundsRequestsInFlight()
    {
        var client = new FakeChatClient(async (_, ct) =>
        {
            await Task.Delay(30, ct);
            return "1";
        });
        string[] sentences = Enumerable.Range(0, 12).Select(i => $"s{i}").ToArray();

        await new SentenceLabeller(client, Fast with { MaxConcurrency = 3 }).LabelAsync(sentences);

        client.MaxInFlight.Should().BeInRange(2, 3);
    }

    [Fact]
    public async Task LabelAsync_AnswersArriveOutOfOrder_ResultsFollowInputOrder()
    {
        var random = new Random(7);
        int[] delays = Enumerable.Range(0, 16).Select(_ => random.Next(0, 40)).ToArray();
        string[] sentences = Enumerable.Range(0, 16).Select(i => $"sentence {i}").ToArray();
        var client = new FakeChatClient(async (request, ct) =>
        {
            int i = int.Parse(request.Sentence["sentence ".Length..]);
            await Task.Delay(delays[i], ct);
            return (i % 5).ToString();
        });

        var run = await new SentenceLabeller(client, Fast with { MaxConcurrency = 8 }).LabelAsync(sentences);

        run.Results.Select(r => r.Text).Should().Equal(sentences);
        run.Results.Select(r => r.Label).Should().Equal(Enumerable.Range(0, 16).Select(i => (int?)(i % 5)));
    }

    [Fact]
    public async Task LabelAsync_IndexedSentences_KeepTheirIndices()
    {
        var run = await new SentenceLabeller(FakeChatClient.Answering("1"), Fast)
            .LabelAsync([new SentenceToLabel(41, "x y"), new SentenceToLabel(7, "z")]);

        run.Results.Select(r => r.SentenceIndex).Should().Equal(41, 7);
    }

    [Fact]
    public async Task LabelAsync_WithProgress_ReportsEverySentenceUpToTotal()
    {
        string path = _folder.File("cache.jsonl");
        await using var cache = await SentenceLabelCache.OpenAsync(path);
        await new SentenceLabeller(FakeChatClient.Answering("1"), Fast, cache).LabelAsync(Sentences.Take(2).ToArray());
        var progress = new RecordingProgress();
        var client = FakeChatClient.BySentence(s => s == Sentences[3] ? "banana" : "2");

        await new SentenceLabeller(client, Fast with { MaxAttempts = 1 }, cache).LabelAsync(Sentences, progress);

        var reports = progress.Reports.ToArray();
        reports.Select(r => r.Done).Should().BeInAscendingOrder();
        reports.Should().OnlyContain(r => r.Total == 4);
        reports[^1].Should().Be(new LabellingProgress(4, 4, 2, 1));
    }

    [Fact]
    public async Task LabelAsync_Summary_CountsLabelsUnlabelledCacheHitsAndCalls()
    {
        var client = FakeChatClient.BySentence(s => s == Sentences[3] ? "banana" : s == Sentences[1] ? "1" : "2");

        var run = await new SentenceLabeller(client, Fast with { MaxAttempts = 2 }).LabelAsync(Sentences);

        run.Summary.LabelCounts.Should().Equal(0, 1, 2, 0, 0);
        run.Summary.CountOf("Business").Should().Be(2);
        run.Summary.Labelled.Should().Be(3);
        run.Summary.Unlabelled.Should().Be(1);
        run.Summary.CacheHits.Should().Be(0);
        run.Summary.ClientCalls.Should().Be(5);
    }

    [Fact]
    public async Task LabelAsync_DefaultOptions_SendReportTemperatureAndOneUserMessage()
    {
        var client = FakeChatClient.Answering("1");

        await new SentenceLabeller(client, Fast).LabelAsync([Sentences[1]]);

        client.Requests.TryPeek(out var request).Should().BeTrue();
        request!.Options!.Temperature.Should().Be(0.2f);
        request.Messages.Should().ContainSingle().Which.Role.Should().Be(ChatRole.User);
        request.Messages[0].Text.Should().EndWith("Input: " + Sentences[1]);
    }

    [Fact]
    public async Task LabelAsync_FewShotExamples_SentAsEarlierTurns()
    {
        var client = FakeChatClient.Answering("1");
        var options = Fast with { FewShotExamples = [new FewShotExample("Bayern beat Dortmund 2-1", 1), new FewShotExample("Shares fell 3 percent", 2)] };

        await new SentenceLabeller(client, options).LabelAsync([Sentences[1]]);

        client.Requests.TryPeek(out var request).Should().BeTrue();
        request!.Messages.Select(m => m.Role).Should().Equal(ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant, ChatRole.User);
        request.Messages[0].Text.Should().EndWith("Input: Bayern beat Dortmund 2-1");
        request.Messages[1].Text.Should().Be("1");
        request.Messages[3].Text.Should().Be("2");
        request.Messages[4].Text.Should().EndWith("Input: " + Sentences[1]);
    }

    [Fact]
    public void ModelId_NoModelIdOption_IsTheClientDefaultModel()
    {
        var labeller = new SentenceLabeller(new FakeChatClient((_, _) => Task.FromResult("1"), defaultModelId: "gpt-4o-mini"));

        labeller.ModelId.Should().Be("gpt-4o-mini");
    }

    [Fact]
    public void BuildInstruction_DefaultOptions_FollowsTheReportLayout()
    {
        var labeller = new SentenceLabeller(FakeChatClient.Answering("1"));

        string instruction = labeller.BuildInstruction("Slask Wroclaw 3 Odra Wodzislaw 1");

        instruction.Split('\n').Should().Equal(
            "Task: Classify the given document based on its topic into one of the following categories:",
            "0: World",
            "1: Sport",
            "2: Business",
            "3: Technology",
            "4: Other",
            "Instructions: Analyze the content of the input sentence and assign the appropriate topic label as an integer (0 to 4).",
            "Output Format: A single integer (0, 1, 2, 3, or 4) representing the most relevant topic category.",
            "Input: Slask Wroclaw 3 Odra Wodzislaw 1");
    }

    [Fact]
    public void BuildInstruction_CustomTemplateAndCategories_FillsEveryPlaceholder()
    {
        var options = SentenceLabellerOptions.Default with
        {
            Categories = ["Positive", "Negative"],
            InstructionTemplate = "Classes:\n{categories}\nAnswer {labelList} (max {maxLabel}).\nText: {sentence}",
        };

        string instruction = new SentenceLabeller(FakeChatClient.Answering("1"), options).BuildInstruction("great match");

        instruction.Should().Be("Classes:\n0: Positive\n1: Negative\nAnswer 0 or 1 (max 1).\nText: great match");
    }

    [Fact]
    public void BuildInstruction_SentenceContainsPlaceholder_LeavesItAsWritten()
    {
        string instruction = new SentenceLabeller(FakeChatClient.Answering("1")).BuildInstruction("about {categories} and {sentence}");

        instruction.Should().EndWith("Input: about {categories} and {sentence}");
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheProperty()
    {
        Action act = () => _ = new SentenceLabeller(FakeChatClient.Answering("1"), SentenceLabellerOptions.Default with { MaxConcurrency = 0 });

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("MaxConcurrency");
    }

    [Fact]
    public void StatusCodeOf_HttpRequestExceptionWith429_Returns429()
    {
        var exception = new HttpRequestException("limit", null, HttpStatusCode.TooManyRequests);

        SentenceLabeller.StatusCodeOf(exception).Should().Be(429);
    }

    [Fact]
    public void StatusCodeOf_InnerExceptionWithStatusProperty_ReturnsIt()
    {
        var exception = new InvalidOperationException("wrapped", new StatusException(429));

        SentenceLabeller.StatusCodeOf(exception).Should().Be(429);
    }

    [Fact]
    public void StatusCodeOf_PlainException_ReturnsNull()
    {
        SentenceLabeller.StatusCodeOf(new InvalidOperationException("x")).Should().BeNull();
    }

    [Fact]
    public async Task LabelAsync_ExceptionCarryingStatus429_RetriedAndLabelled()
    {
        var client = new FakeChatClient((request, _) =>
            request.CallNumber == 1 ? throw new StatusException(429) : Task.FromResult("3"));

        var run = await new SentenceLabeller(client, Fast).LabelAsync([Sentences[0]]);

        run.Results[0].Label.Should().Be(3);
        client.Calls.Should().Be(2);
    }

    /// <summary>Like System.ClientModel's ClientResultException: an exception with an integer <c>Status</c>.</summary>
    private sealed class StatusException(int status) : Exception($"HTTP {status}")
    {
        public int Status { get; } = status;
    }
}
