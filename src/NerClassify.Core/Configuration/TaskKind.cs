
namespace NerClassify.Configuration;

/// <summary>Which heads a task model has.</summary>
public enum TaskKind
{
    /// <summary>Token classification (named-entity recognition).</summary>
    Token,

    /// <summary>Sequence (sentence) classification.</summary>
    Sequence,

    /// <summary>Both, over one shared encoder pass.</summary>
    Multitask,
}
