using NerClassify.Encoders.Bert;
using static TorchSharp.torch;

namespace NerClassify.Encoders;

/// <summary>
/// A transformer encoder that task heads sit on: token ids in, contextual token states out.
/// <see cref="BertEncoder"/> is the library's implementation. Implementations must also derive from
/// <see cref="TorchSharp.torch.nn.Module"/> (any of its generic forms) so that task models can register them as a
/// submodule (under the key <c>bert</c>) and train them; the task models check this when they are built.
/// </summary>
/// <remarks>
/// An interface rather than an abstract module because TorchSharp modules already have a base class to choose
/// (<c>nn.Module</c>, <c>nn.Module&lt;T, TResult&gt;</c>, ...) and C# allows only one: an interface leaves that choice to
/// the encoder, while the task models ask only for what they call.
/// </remarks>
public interface IEncoder : IDisposable
{
    /// <summary>The configuration the encoder was built from.</summary>
    BertConfig Config { get; }

    /// <summary>Width of the token states.</summary>
    int HiddenSize { get; }

    /// <summary>Whether <see cref="Encode"/> returns a pooled output.</summary>
    bool HasPooler { get; }

    /// <summary>Runs the encoder.</summary>
    /// <param name="inputIds">[B, T] token ids (int64).</param>
    /// <param name="attentionMask">[B, T]: 1 for real tokens, 0 for padding.</param>
    /// <param name="tokenTypeIds">[B, T] segment ids, or null for all zeros.</param>
    /// <param name="pool">Whether to compute the pooled output (token tasks skip it).</param>
    /// <param name="extraEmbeddings">[B, T, H] added to the input embeddings before their LayerNorm (for example a learned embedding of word features), or null.</param>
    /// <returns>The last hidden state [B, T, H] and, where the encoder has a pooler and <paramref name="pool"/> is set, the pooled output [B, H].</returns>
    EncoderOutput Encode(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds = null, bool pool = true, Tensor? extraEmbeddings = null);
}
