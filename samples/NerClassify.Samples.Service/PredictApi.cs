using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using NerClassify.Inference;

namespace NerClassify.Samples.Service;

/// <summary>
/// The body of <c>POST /v1/predict</c>: one <c>text</c> or a list of <c>texts</c>. With <c>"document": true</c> the texts
/// are the sentences of one document, and each prediction is revised by the others (<see cref="DocumentContext"/>).
/// </summary>
public sealed record PredictRequest(string? Text, IReadOnlyList<string?>? Texts, bool Document = false);

/// <summary>One entity: its type, character span <c>[start, end)</c> into the text, the text itself and a confidence.</summary>
public sealed record EntityResult(string Type, int Start, int End, string Text, float Score);

/// <summary>The sentence label and its probability; <c>scores</c> holds every class's probability, highest first.</summary>
public sealed record SentenceResult(string Label, float Score, IReadOnlyList<ClassScore>? Scores = null);

/// <summary>One text's prediction.</summary>
public sealed record PredictionResult(string Text, IReadOnlyList<EntityResult> Entities, SentenceResult? Sentence)
{
    /// <summary>Maps a library prediction.</summary>
    public static PredictionResult From(Prediction prediction) => new(
        prediction.Text,
        prediction.Entities.Select(e => new EntityResult(e.Type, e.Start, e.End, e.Text, e.Score)).ToArray(),
        prediction.Sentence is { } s ? new SentenceResult(s.Label, s.Probability, ClassScore.From(s)) : null);
}

/// <summary>The answer: one prediction per text, in request order.</summary>
public sealed record PredictResponse(IReadOnlyList<PredictionResult> Predictions);

/// <summary>The prediction endpoint and its instruments.</summary>
public static class PredictApi
{
    /// <summary>The service's meter (requests, latency); the library's batch sizes are on the meter <c>NerClassify</c>.</summary>
    public const string MeterName = "NerClassify.Service";

    /// <summary>The status counted for a request whose client went away before the answer (nginx's convention).</summary>
    public const int ClientClosedRequest = 499;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    // Requests are read strictly: keys are case-sensitive, and an unknown or repeated key is an error rather than
    // silently ignored or overwritten ("TEXT" or a second "text" would otherwise be dropped without a word).
    private static readonly JsonSerializerOptions RequestJson = new(Json)
    {
        PropertyNameCaseInsensitive = false,
        AllowDuplicateProperties = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("nerclassify.requests", "{request}", "Prediction requests by HTTP status.");
    private static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("nerclassify.request.duration", "s", "Prediction request latency.");

    /// <summary>
    /// Counts every request to the prediction path in <c>nerclassify.requests</c> and times it, by the status it ended
    /// with: the endpoint's answers, and also what never reaches it (405 for a wrong method) and clients that went
    /// away (<see cref="ClientClosedRequest"/>).
    /// </summary>
    public static async Task CountRequestsAsync(HttpContext context, RequestDelegate next)
    {
        long start = Stopwatch.GetTimestamp();
        int status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context).ConfigureAwait(false);
            status = context.Response.StatusCode;
        }
        finally
        {
            // A body cut short by a client that went away ends as Kestrel's 400 "unexpected end of request content".
            if (context.RequestAborted.IsCancellationRequested && status <= StatusCodes.Status400BadRequest)
            {
                status = ClientClosedRequest;
            }

            var tag = new KeyValuePair<string, object?>("http.response.status_code", status);
            Requests.Add(1, tag);
            Latency.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, tag);
        }
    }

    /// <summary>Handles <c>POST /v1/predict</c>.</summary>
    public static async Task<IResult> PredictAsync(HttpContext context, ModelHost host, IOptions<ServingOptions> serving)
    {
        try
        {
            return await AnswerAsync(context, host, serving.Value).ConfigureAwait(false);
        }
        catch (Exception exception) when (context.RequestAborted.IsCancellationRequested && exception is OperationCanceledException or IOException)
        {
            // The client went away (counted as 499 by CountRequestsAsync): nobody is left to answer, and nothing failed here.
            return Results.Empty;
        }
    }

    private static async Task<IResult> AnswerAsync(HttpContext context, ModelHost host, ServingOptions limits)
    {
        if (host.Classifier is not { } classifier)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "The model is not loaded yet.");
        }

        if (!context.Request.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType,
                $"Send the body as application/json (Content-Type was {(string.IsNullOrEmpty(context.Request.ContentType) ? "missing" : $"'{context.Request.ContentType}'")}).");
        }

        PredictRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<PredictRequest>(context.Request.Body, RequestJson, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException exception)
        {
            return Problem(StatusCodes.Status400BadRequest, $"Malformed JSON: {exception.Message}");
        }
        catch (BadHttpRequestException exception)
        {
            return Problem(exception.StatusCode, exception.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => $"The body is larger than {limits.MaxRequestBytes} bytes.",
                StatusCodes.Status408RequestTimeout => "The body arrived too slowly (below Kestrel's minimum request body data rate).",
                _ => exception.Message,
            });
        }

        if (request is null || (request.Text is null) == (request.Texts is null))
        {
            return Problem(StatusCodes.Status400BadRequest, "Send {\"text\": \"...\"} or {\"texts\": [\"...\"]}, exactly one of the two.");
        }

        IReadOnlyList<string?> texts = request.Texts ?? [request.Text];
        if (texts.Count == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "texts is empty; send at least one text.");
        }

        if (texts.Count > limits.MaxTexts)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"{texts.Count} texts; at most {limits.MaxTexts} per request.");
        }

        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is not { } text)
            {
                return Problem(StatusCodes.Status400BadRequest, $"texts[{i}] is null.");
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                // A text without words has no entities, and a sentence label for it would be a guess.
                return Problem(StatusCodes.Status400BadRequest, request.Texts is null ? "text is empty (or only whitespace)." : $"texts[{i}] is empty (or only whitespace).");
            }

            if (text.Length > limits.MaxTextChars)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, $"texts[{i}] has {text.Length} characters; at most {limits.MaxTextChars}.");
            }
        }

        // One request, one call: with micro-batching on, its texts share forward passes with concurrent requests and are
        // scheduled fairly against them (a large request is split into token-budget batches and cannot hold up small ones).
        IReadOnlyList<Prediction> predictions = await classifier.PredictBatchAsync(texts!, context.RequestAborted).ConfigureAwait(false);
        IReadOnlyList<Prediction> answers = request.Document ? DocumentContext.Apply(predictions) : predictions;
        return Results.Json(new PredictResponse(answers.Select(PredictionResult.From).ToArray()), Json);
    }

    private static IResult Problem(int status, string detail) => Results.Problem(detail, statusCode: status);
}
