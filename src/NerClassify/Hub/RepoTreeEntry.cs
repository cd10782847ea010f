namespace NerClassify.Hub;

/// <summary>One file of a commit as the hub's tree API lists it (<c>GET /api/models/{repo}/tree/{commit}?recursive=true</c>).</summary>
/// <param name="Path">The path in the repository, with <c>/</c> between folders.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="BlobId">The git object id (<c>oid</c>).</param>
/// <param name="LfsSha256">The SHA-256 of an LFS file (<c>lfs.oid</c>), else null.</param>
/// <param name="LfsSize">The size of an LFS file (<c>lfs.size</c>), else null.</param>
/// <param name="XetHash">The Xet content hash (<c>xetHash</c>), when the hub stores the file in Xet.</param>
internal sealed record RepoTreeEntry(string Path, long Size, string BlobId, string? LfsSha256, long? LfsSize, string? XetHash);
