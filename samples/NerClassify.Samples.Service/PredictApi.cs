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

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("nerclassify.requests", "{request}", "Prediction requests by HTTP status.");
    private static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("nerclassify.request.duration", "s", "Prediction request latency.");

    /// <summary>Handles <c>POST /v1/predict</c>.</summary>
    public static async Task<IResult> PredictAsync(HttpContext context, ModelHost host, IOptions<ServingOptions> serving)
    {
        long start = Stopwatch.GetTimestamp();
        IResult result = await AnswerAsync(context, host, serving.Value).ConfigureAwait(false);
        int status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        Requests.Add(1, new KeyValuePair<string, object?>("http.response.status_code", status));
        Latency.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, new KeyValuePair<string, object?>("http.response.status_code", status));
        return result;
    }

    private static async Task<IResult> AnswerAsync(HttpContext context, ModelHost host, ServingOptions limits)
    {
        if (host.Classifier is not { } classifier)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "The model is not loaded yet.");
        }

        PredictRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<PredictRequest>(context.Request.Body, Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException exception)
        {
            return Problem(StatusCodes.Status400BadRequest, $"Malformed JSON: {exception.Message}");
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {limits.MaxRequestBytes} bytes.");
        }

        if (request is null || (request.Text is null) == (request.Texts is null))
        {
            return Problem(StatusCodes.Status400BadRequest, "Send {\"text\": \"...\"} or {\"texts\": [\"...\"]}, exactly one of the two.");
        }

        IReadOnlyList<string?> texts = request.Texts ?? [request.Text];
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

            if (text.Length > limits.MaxTextChars)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, $"texts[{i}] has {text.Length} characters; at most {limits.MaxTextChars}.");
            }
        }

        // One call per text: with micro-batching on, texts of this and concurrent requests share forward passes.
        Prediction[] predictions = await Task.WhenAll(texts.Select(t => classifier.PredictAsync(t!, context.RequestAborted))).ConfigureAwait(false);
        IReadOnlyList<Prediction> answers = request.Document ? DocumentContext.Apply(predictions) : predictions;
        return Results.Json(new PredictResponse(answers.Select(PredictionResult.From).ToArray()), Json);
    }

    private static IResult Problem(int status, string detail) => Results.Problem(detail, statusCode: status);
}
