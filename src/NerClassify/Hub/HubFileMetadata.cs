namespace NerClassify.Hub;

/// <summary>What a <c>HEAD</c> of a resolve URL told about one file.</summary>
/// <param name="Exists">False when the hub answered that the revision lacks the file.</param>
/// <param name="Url">The resolve URL asked.</param>
/// <param name="Commit">The commit the revision names (<c>X-Repo-Commit</c>); may be null when the file is missing.</param>
/// <param name="ETag">The normalised <c>X-Linked-Etag</c> or <c>ETag</c>: the SHA-256 of an LFS file, the git blob hash otherwise.</param>
/// <param name="Size">The size (<c>X-Linked-Size</c> or <c>Content-Length</c>), when sent.</param>
/// <param name="DownloadUrl">Where the content is fetched from: the redirect target (a CDN) for LFS files, else <paramref name="Url"/>.</param>
/// <param name="ErrorCode">The hub's <c>X-Error-Code</c> for a missing file (<c>EntryNotFound</c>), when sent.</param>
internal sealed record HubFileMetadata(bool Exists, Uri Url, string? Commit, string? ETag, long? Size, Uri DownloadUrl, string? ErrorCode = null)
{
    /// <summary>True when the ETag is a SHA-256 (LFS files), so the content can be verified against it.</summary>
    public bool IsSha256 => ETag is { Length: 64 } etag && etag.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
