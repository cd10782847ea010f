namespace NerClassify.Hub;

/// <summary>Why a <see cref="HubException"/> was thrown.</summary>
public enum HubErrorKind
{
    /// <summary>The model (repository) does not exist, or is private and no token with access was sent (HTTP 404).</summary>
    ModelNotFound,

    /// <summary>The revision (branch, tag or commit) does not exist in the model.</summary>
    RevisionNotFound,

    /// <summary>A required file is not in the model.</summary>
    FileNotFound,

    /// <summary>The model has neither <c>model.safetensors</c> nor <c>pytorch_model.bin</c>.</summary>
    NoWeights,

    /// <summary>The model is gated or private and the request had no token, or one without access (HTTP 401 or 403).</summary>
    Unauthorized,

    /// <summary>Offline mode is on and the cache lacks the revision or a file.</summary>
    NotCached,

    /// <summary>The hub could not be reached, or the connection failed and retries did not help.</summary>
    Network,

    /// <summary>The downloaded bytes do not match the size or SHA-256 the hub announced, even after a second try.</summary>
    Corrupt,

    /// <summary>The hub answered with a status or headers this client does not understand.</summary>
    InvalidResponse,
}
