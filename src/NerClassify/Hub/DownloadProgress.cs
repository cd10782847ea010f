namespace NerClassify.Hub;

/// <summary>How far the download of one file of a model has come.</summary>
/// <param name="ModelId">The model id, for example <c>bert-base-cased</c>.</param>
/// <param name="FileName">The file in the repository, for example <c>model.safetensors</c>.</param>
/// <param name="BytesDownloaded">Bytes of the file now on disk (a resumed download starts above zero).</param>
/// <param name="TotalBytes">The size of the file, when the hub told it.</param>
public readonly record struct DownloadProgress(string ModelId, string FileName, long BytesDownloaded, long? TotalBytes);
