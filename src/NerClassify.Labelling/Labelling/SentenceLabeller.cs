using System.Net;
using System.Reflection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NerClassify.Labelling;

/// <summary>
/// Labels sentences with a class by asking a chat model, as the report did to give CoNLL sentences topic labels.
/// Any <see cref="IChatClient"/> works (OpenAI, Azure OpenAI, Ollama or another compatible service).
/// </summary>
/// <remarks>
/// Each sentence is sent on its own. An answer is accepted when it names exactly one valid class, as a number or as a name;
/// otherwise, and after failures and timeouts, the request is repeated with exponentially growing waits, and after
/// <see cref="SentenceLabellerOptions.MaxAttempts"/> attempts the sentence is recorded as unlabelled with the last answer or error,
/// never with a guessed label. With a <see cref="SentenceLabelCache"/>, every answer is stored as soon as it arrives and
/// reused by later runs; identical sentences within a run are asked once.
/// </remarks>
public sealed class SentenceLabeller
{
    private readonly IChatClient _client;
    private readonly SentenceLabelCache? _cache;
    private readonly ILogger _logger;
    private readonly LabellingPrompt _prompt;

    /// <summary>Creates a labeller.</summary>
    /// <param name="client">The chat client to ask; not disposed by the labeller.</param>
    /// <param name="options">How to ask; <see cref="SentenceLabellerOptions.Default"/> when null.</param>
    /// <param name="cache">Where answers are remembered, or <see langword="null"/> to keep nothing between runs; not disposed by the labeller.</param>
    /// <param name="logger">Receives retries, failures and a summary per run; defaults to <see cref="NullLogger"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SentenceLabeller(IChatClient client, SentenceLabellerOptions? options = null, SentenceLabelCache? cache = null, ILogger<SentenceLabeller>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= SentenceLabellerOptions.Default;
        options.Validate();
        _client = client;
        _cache = cache;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Options = options;
        string modelId = options.ModelId ?? client.GetService<ChatClientMetadata>()?.DefaultModelId ?? string.Empty;
        _prompt = new LabellingPrompt(options, modelId);
    }

    /// <summary>The options in use.</summary>
    public SentenceLabellerOptions Options { get; }

    /// <summary>The model id that cache keys are made for: <see cref="SentenceLabellerOptions.ModelId"/>, else the client's default model, else empty.</summary>
    public string ModelId => _prompt.ModelId;

    /// <summary>The instruction that would be sent for <paramref name="sentence"/> (after any few-shot turns).</summary>
    /// <param name="sentence">A sentence.</param>
    /// <returns>The filled instruction template.</returns>
    public string BuildInstruction(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        return _prompt.Fill(sentence);
    }

    /// <summary>Labels sentences whose indices are their positions in <paramref name="sentences"/>.</summary>
    /// <param name="sentences">The sentence texts.</param>
    /// <param name="progress">Receives a report after each finished sentence, one report at a time.</param>
    /// <param name="cancellationToken">Stops the run; requests in flight are abandoned and the method throws <see cref="OperationCanceledException"/>. Answers already received stay in the cache.</param>
    /// <returns>The results in input order and the run's totals.</returns>
    /// <exception cref="ArgumentException">A sentence is null.</exception>
    public Task<SentenceLabellingResult> LabelAsync(IReadOnlyList<string> sentences, IProgress<LabellingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var inputs = new SentenceToLabel[sentences.Count];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = new SentenceToLabel(i, sentences[i] ?? throw new ArgumentException($"Sentence {i} is null.", nameof(sentences)));
        }

        return LabelCoreAsync(inputs, progress, cancellationToken);
    }

    /// <summary>Labels sentences that carry their own indices (for example a sample of a file's sentences).</summary>
    /// <param name="sentences">The sentences with their indices.</param>
    /// <param name="progress">Receives a report after each finished sentence, one report at a time.</param>
    /// <param name="cancellationToken">Stops the run; requests in flight are abandoned and the method throws <see cref="OperationCanceledException"/>. Answers already received stay in the cache.</param>
    /// <returns>The results in input order and the run's totals.</returns>
    /// <exception cref="ArgumentException">A sentence's text is null or its index is negative.</exception>
    public Task<SentenceLabellingResult> LabelAsync(IReadOnlyList<SentenceToLabel> sentences, IProgress<LabellingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var inputs = new SentenceToLabel[sentences.Count];
        for (int i = 0; i < inputs.Length; i++)
        {
            var sentence = sentences[i];
            if (sentence.Text is null || sentence.Index < 0)
            {
                throw new ArgumentException($"Sentence at position {i} needs a text and a non-negative index.", nameof(sentences));
            }

            inputs[i] = sentence;
        }

        return LabelCoreAsync(inputs, progress, cancellationToken);
    }

    private async Task<SentenceLabellingResult> LabelCoreAsync(SentenceToLabel[] inputs, IProgress<LabellingProgress>? progress, CancellationToken cancellationToken)
    {
        var results = new SentenceLabelResult[inputs.Length];
        var tracker = new RunTracker(inputs.Length, progress);

        // Answer what the cache knows; group the rest by key so that repeated sentences are asked once.
        var pending = new Dictionary<string, PendingRequest>(StringComparer.Ordinal);
        var queue = new List<PendingRequest>();
        for (int i = 0; i < inputs.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string text = inputs[i].Text;
            string instruction = _prompt.Fill(text);
            string key = _prompt.CacheKey(instruction, text);
            if (_cache is not null && _cache.TryGet(key, out var entry) && (entry.Label is null || entry.Label < Options.Categories.Count))
            {
                results[i] = new SentenceLabelResult(inputs[i].Index, text, entry.Label, NameOf(entry.Label), entry.Answer, 0, true);
                tracker.Finished(fromCache: true, labelled: entry.Label is not null);
                continue;
            }

            if (!pending.TryGetValue(key, out var request))
            {
                request = new PendingRequest(key, instruction, text, inputs[i].Index);
                pending.Add(key, request);
                queue.Add(request);
            }

            request.Positions.Add(i);
        }

        tracker.Report();

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.MaxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(queue, parallel, async (request, token) =>
        {
            var outcome = await AskAsync(request, tracker, token).ConfigureAwait(false);
            if (_cache is not null && outcome.IsAnswer)
            {
                await _cache.AddAsync(new LabelCacheEntry(request.Key, outcome.Label, outcome.Answer!, ModelId, request.Text)).ConfigureAwait(false);
            }

            foreach (int position in request.Positions)
            {
                results[position] = new SentenceLabelResult(
                    inputs[position].Index, request.Text, outcome.Label, NameOf(outcome.Label), outcome.Answer, outcome.Attempts, false, outcome.Error);
                tracker.Finished(fromCache: false, labelled: outcome.Label is not null);
            }
        }).ConfigureAwait(false);

        var counts = new int[Options.Categories.Count];
        foreach (var result in results)
        {
            if (result.Label is { } label)
            {
                counts[label]++;
            }
        }

        var summary = new LabellingSummary(Options.Categories, counts, inputs.Length, tracker.Unlabelled, tracker.CacheHits, tracker.ClientCalls);
        LabellingLog.RunFinished(_logger, summary.Labelled, summary.Total, summary.Unlabelled, summary.CacheHits, summary.ClientCalls);
        return new SentenceLabellingResult(results, summary);
    }

    private async Task<Outcome> AskAsync(PendingRequest request, RunTracker tracker, CancellationToken cancellationToken)
    {
        string? answer = null;
        string? error = null;
        int attempt = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            attempt++;
            int? statusCode = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                if (Options.RequestTimeout != Timeout.InfiniteTimeSpan)
                {
                    timeout.CancelAfter(Options.RequestTimeout);
                }

                try
                {
                    tracker.Called();
                    // WaitAsync as well, so that a client that ignores its token still cannot hold up a timeout or a cancellation.
                    var response = await _client.GetResponseAsync(_prompt.Messages(request.Instruction), CreateChatOptions(), timeout.Token)
                        .WaitAsync(timeout.Token)
                        .ConfigureAwait(false);
                    answer = response.Text ?? string.Empty;
                    error = null;
                    if (LabelAnswerParser.Parse(answer, Options.Categories) is { } label)
                    {
                        return new Outcome(label, answer, attempt, null, IsAnswer: true);
                    }

                    LabellingLog.AnswerNotUnderstood(_logger, request.SentenceIndex, attempt, answer);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    error = $"No answer within {Options.RequestTimeout}.";
                    LabellingLog.RequestTimedOut(_logger, request.SentenceIndex, attempt, Options.RequestTimeout);
                }
                catch (Exception exception)
                {
                    statusCode = StatusCodeOf(exception);
                    error = $"{exception.GetType().Name}: {exception.Message}";
                    if (statusCode != (int)HttpStatusCode.TooManyRequests)
                    {
                        LabellingLog.RequestFailed(_logger, exception, request.SentenceIndex, attempt);
                    }
                }
            }

            if (attempt >= Options.MaxAttempts)
            {
                LabellingLog.Unlabelled(_logger, request.SentenceIndex, attempt, answer, error);

                // Remember an answer that was not understood, but not a failure: that may be transient, so the next run asks again.
                return new Outcome(null, answer, attempt, error, IsAnswer: error is null && answer is not null);
            }

            var delay = Backoff(attempt);
            if (statusCode == (int)HttpStatusCode.TooManyRequests)
            {
                LabellingLog.RateLimited(_logger, request.SentenceIndex, attempt, statusCode.Value, delay);
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private ChatOptions CreateChatOptions() => new()
    {
        ModelId = Options.ModelId,
        Temperature = Options.Temperature,
        MaxOutputTokens = Options.MaxOutputTokens,
    };

    // InitialBackoff, doubled after every failed attempt, capped at MaxBackoff.
    private TimeSpan Backoff(int failedAttempts)
    {
        double factor = Math.Pow(2, Math.Min(failedAttempts - 1, 30));
        double ticks = Math.Min(Options.InitialBackoff.Ticks * factor, Options.MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private string? NameOf(int? label) => label is { } value ? Options.Categories[value] : null;

    /// <summary>
    /// The HTTP status an exception (or one of its inner exceptions) carries: <see cref="HttpRequestException.StatusCode"/>,
    /// or a <c>Status</c>/<c>StatusCode</c> property as on System.ClientModel's <c>ClientResultException</c> and Azure's <c>RequestFailedException</c>.
    /// </summary>
    internal static int? StatusCodeOf(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException { StatusCode: { } httpStatus })
            {
                return (int)httpStatus;
            }

            foreach (string name in (ReadOnlySpan<string>)["Status", "StatusCode"])
            {
                switch (ReadProperty(current, name))
                {
                    case int number when number > 0:
                        return number;
                    case HttpStatusCode status:
                        return (int)status;
                }
            }
        }

        return null;
    }

    // A property that is missing, ambiguous or throws tells nothing about the status.
    private static object? ReadProperty(Exception exception, string name)
    {
        try
        {
            return exception.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)?.GetValue(exception);
        }
        catch (Exception error) when (error is AmbiguousMatchException or TargetInvocationException)
        {
            return null;
        }
    }

    private readonly record struct Outcome(int? Label, string? Answer, int Attempts, string? Error, bool IsAnswer);
}
