namespace NerClassify.Hub;

/// <summary>A model could not be fetched from the Hugging Face hub or found in its cache.</summary>
/// <remarks>The message names the model, the revision or URL, and what to do about it.</remarks>
public sealed class HubException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">Why it failed.</param>
    /// <param name="modelId">The model id asked for.</param>
    /// <param name="message">What happened, naming the model and URL or file.</param>
    /// <param name="url">The URL that failed, when a request was made.</param>
    /// <param name="statusCode">The HTTP status of the failed answer, when there was one.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public HubException(HubErrorKind kind, string modelId, string message, string? url = null, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        ModelId = modelId;
        Url = url;
        StatusCode = statusCode;
    }

    /// <summary>Why it failed.</summary>
    public HubErrorKind Kind { get; }

    /// <summary>The model id asked for.</summary>
    public string ModelId { get; }

    /// <summary>The URL that failed, or null when no request was made (offline mode).</summary>
    public string? Url { get; }

    /// <summary>The HTTP status of the failed answer, or null when there was none.</summary>
    public int? StatusCode { get; }
}
