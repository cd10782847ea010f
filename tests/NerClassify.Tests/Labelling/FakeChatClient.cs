using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace NerClassify.Tests.Labelling;

/// <summary>A scripted <see cref="IChatClient"/> that counts calls and records requests.</summary>
internal sealed class FakeChatClient : IChatClient
{
    private readonly Func<FakeRequest, CancellationToken, Task<string>> _respond;
    private readonly ChatClientMetadata? _metadata;
    private int _calls;
    private int _inFlight;
    private int _maxInFlight;

    public FakeChatClient(Func<FakeRequest, CancellationToken, Task<string>> respond, string? defaultModelId = null)
    {
        _respond = respond;
        _metadata = defaultModelId is null ? null : new ChatClientMetadata("fake", null, defaultModelId);
    }

    public int Calls => Volatile.Read(ref _calls);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    /// <summary>Answers the n-th call with the n-th answer; the last answer repeats.</summary>
    public static FakeChatClient Answering(params string[] answers) =>
        new((request, _) => Task.FromResult(answers[Math.Min(request.CallNumber, answers.Length) - 1]));

    /// <summary>Answers by the sentence asked about.</summary>
    public static FakeChatClient BySentence(Func<string, string> answer) =>
        new((request, _) => Task.FromResult(answer(request.Sentence)));

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        int inFlight = Interlocked.Increment(ref _inFlight);
        int seen;
        while (inFlight > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen)
        {
        }

        try
        {
            var request = new FakeRequest(call, messages.ToList(), options);
            Requests.Enqueue(request);
            string text = await _respond(request, cancellationToken);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, text));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? _metadata : null;

    public void Dispose()
    {
    }
}
