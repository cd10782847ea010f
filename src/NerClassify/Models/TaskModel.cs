using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Heads;
using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>
/// Base of the task models (<see cref="TokenClassificationModel"/>, <see cref="SequenceClassificationModel"/>,
/// <see cref="MultitaskModel"/>): an <see cref="IEncoder"/> (key <c>bert</c>) and one or two heads, with label
/// names, the loss, and what a model says about itself (architecture name, head keys, description and its
/// <see cref="ModelConfig"/>), so that saving, loading, training and export ask the model rather than switch on
/// its type. Derived models declare the encoder field first, then the heads.
/// </summary>
public abstract class TaskModel : nn.Module
{
    /// <summary>The cross-entropy target that marks a position or row without a label.</summary>
    public const long IgnoreIndex = -100;

    private ModelConfig? _config;

    /// <summary>Creates the model.</summary>
    /// <param name="name">A display name.</param>
    /// <param name="tokenLabels">Token label names in id order, or null for a sequence-only model.</param>
    /// <param name="sequenceLabels">Sentence class names in id order, or null for a token-only model.</param>
    private protected TaskModel(string name, IReadOnlyList<string>? tokenLabels, IReadOnlyList<string>? sequenceLabels)
        : base(name)
    {
        TokenLabels = tokenLabels?.ToArray();
        SequenceLabels = sequenceLabels?.ToArray();
    }

    /// <summary>Which heads the model has.</summary>
    public abstract TaskKind Kind { get; }

    /// <summary>The Hugging Face architecture name written to <c>config.json</c> (for example <c>BertForTokenClassification</c>).</summary>
    public string ArchitectureName => Kind.ArchitectureName();

    /// <summary>A short description for messages, for example "an entity model".</summary>
    public string Description => Kind.Description();

    /// <summary>The state-dict prefixes of the heads, token head first (for example <c>classifier</c>, or <c>token_classifier</c> and <c>sequence_classifier</c>).</summary>
    public abstract IReadOnlyList<string> HeadKeys { get; }

    /// <summary>The token (entity) head, or null when the model has none.</summary>
    public virtual TokenHead? TokenHead => null;

    /// <summary>The sentence head, or null when the model has none.</summary>
    public virtual SequenceHead? SequenceHead => null;

    /// <summary>
    /// The model's configuration: task, labels, head settings and type names, loss weighting and prediction window.
    /// A model built from its parts describes itself (window: <see cref="ModelConfig.MaxLength"/>'s default for its
    /// encoder); one created or loaded through <see cref="NerClassifier"/> carries the configuration it was built from.
    /// </summary>
    public ModelConfig Config
    {
        get => _config ??= DescribeParts();
        internal set => _config = value;
    }

    /// <summary>The shared encoder.</summary>
    public abstract IEncoder Encoder { get; }

    /// <summary>Token label names in id order (for example <c>O</c>, <c>B-PER</c>, ...), or null.</summary>
    public IReadOnlyList<string>? TokenLabels { get; }

    /// <summary>Sentence class names in id order, or null.</summary>
    public IReadOnlyList<string>? SequenceLabels { get; }

    /// <summary>Whether the token head reads word casing ids.</summary>
    public virtual bool UsesCasing => false;

    /// <summary>Whether the model reads word character ids (<see cref="TokenHeadOptions.CharacterFeatures"/>).</summary>
    public virtual bool UsesCharacters => false;

    /// <summary>Runs the encoder once and the heads on its output.</summary>
    public TaskOutputs Forward(ModelInputs inputs) => Forward(inputs, Encoder);

    /// <summary>
    /// Runs <paramref name="encoder"/> (the model's own, or an inference forward over its parameters such as the CPU
    /// kernels' <c>CpuKernelEncoder</c>) once and the heads on its output.
    /// </summary>
    internal abstract TaskOutputs Forward(ModelInputs inputs, IEncoder encoder);

    /// <summary>
    /// The training loss for a batch. Rows or positions labelled <see cref="IgnoreIndex"/> do not count; a
    /// task with no label in the batch contributes nothing.
    /// </summary>
    /// <param name="outputs">The model's outputs for the batch.</param>
    /// <param name="tokenLabels">[B, T] token label ids, or null.</param>
    /// <param name="sequenceLabels">[B] sentence label ids, or null.</param>
    public abstract TaskLoss ComputeLoss(TaskOutputs outputs, Tensor? tokenLabels, Tensor? sequenceLabels);

    /// <summary>Mean cross-entropy over labelled targets, or null when there is none.</summary>
    private protected static Tensor? CrossEntropy(Tensor? logits, Tensor? labels)
    {
        if (logits is null || labels is null)
        {
            return null;
        }

        using Tensor flatLabels = labels.reshape(-1);
        using Tensor labelled = flatLabels.ne(IgnoreIndex);
        if (!labelled.any().item<bool>())
        {
            return null;
        }

        using Tensor flatLogits = logits.reshape(-1, logits.shape[^1]);
        return nn.functional.cross_entropy(flatLogits, flatLabels, ignore_index: IgnoreIndex);
    }

    /// <summary>
    /// The token loss: the CRF's mean negative log-likelihood over sentences when <paramref name="crf"/> is set,
    /// else mean cross-entropy over labelled positions; null when there is no labelled position.
    /// </summary>
    private protected static Tensor? TokenLoss(Tensor? logits, Tensor? labels, LinearChainCrf? crf) =>
        crf is null || logits is null || labels is null ? CrossEntropy(logits, labels) : crf.NegativeLogLikelihood(logits, labels);

    /// <summary>The token head's CRF, or null when the model has none.</summary>
    internal LinearChainCrf? TokenCrf => TokenHead?.Crf;

    /// <summary>The effective loss weights (sentences, tokens) when the model weighs two losses; else null.</summary>
    internal virtual (double Sequence, double Token)? CurrentLossWeights() => null;

    /// <summary>Each head's state-dict prefix with its number of outputs, token head first.</summary>
    internal IEnumerable<(string Key, int Outputs)> HeadOutputs() =>
        HeadKeys.Zip(new[] { TokenLabels?.Count, SequenceLabels?.Count }.OfType<int>(), (key, outputs) => (key, outputs));

    /// <summary>Whether the model adds the casing embedding to the encoder's input (<see cref="TokenHeadOptions.CasingInput"/>).</summary>
    private protected virtual bool HasCasingInput => false;

    /// <summary>The configuration of a model built from its parts: its task, labels, heads and the default window.</summary>
    private protected virtual ModelConfig DescribeParts()
    {
        (int maxLength, int stride) = ModelConfig.DefaultWindow(Encoder.Config.MaxTokens);
        var tokenHead = TokenHead as TokenClassificationHead;
        var sequenceHead = SequenceHead as SequenceClassificationHead;
        return new ModelConfig
        {
            Task = Kind,
            TokenLabels = TokenLabels,
            SequenceLabels = SequenceLabels,
            MaxLength = maxLength,
            Stride = stride,
            EncoderHasPooler = Encoder.HasPooler,
            TokenHead = tokenHead?.Options ?? new TokenHeadOptions { CasingInput = HasCasingInput, CharacterFeatures = UsesCharacters },
            TokenHeadType = TokenHead is null || tokenHead is not null ? null : TokenHead.HeadType,
            SentencePooling = sequenceHead?.Pooling ?? SentencePooling.Cls,
            SequenceHeadType = SequenceHead is null || sequenceHead is not null ? null : SequenceHead.HeadType,
        };
    }

    /// <summary>Checks that <paramref name="encoder"/> is a module and returns it as one.</summary>
    private protected static nn.Module AsModule(IEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return encoder as nn.Module ?? throw new ArgumentException($"The encoder must derive from TorchSharp's nn.Module; {encoder.GetType().Name} does not.", nameof(encoder));
    }

    /// <summary>The zero-initialised casing embedding added to the encoder's input when <paramref name="options"/> asks for it.</summary>
    private protected static TorchSharp.Modules.Embedding? CasingInputEmbedding(IEncoder encoder, TokenHeadOptions? options)
    {
        if (options?.CasingInput != true)
        {
            return null;
        }

        var embedding = nn.Embedding(Tokenization.WordCasings.Count, encoder.HiddenSize);
        using (no_grad())
        {
            embedding.weight!.zero_();
        }

        return embedding;
    }

    /// <summary>The character encoder added to the encoder's input when <paramref name="options"/> asks for it.</summary>
    private protected static CharacterEncoder? CharacterInputEncoder(IEncoder encoder, TokenHeadOptions? options) =>
        options?.CharacterFeatures == true ? new CharacterEncoder(encoder.HiddenSize) : null;

    /// <summary>
    /// What the casing embedding and the character encoder add to the encoder's input embeddings ([B, T, H]), or null
    /// when the model has neither.
    /// </summary>
    private protected static Tensor? InputFeatures(TorchSharp.Modules.Embedding? casing, CharacterEncoder? characters, ModelInputs inputs)
    {
        Tensor? sum = casing?.forward(inputs.CasingIds ?? throw new ArgumentException("This model uses casing features; pass casing ids.", nameof(inputs)));
        if (characters is not null)
        {
            Tensor words = characters.forward(inputs.CharacterIds ?? throw new ArgumentException("This model uses character features; pass character ids.", nameof(inputs)));
            sum = sum is null ? words : sum.add(words);
        }

        return sum;
    }

    /// <summary>Builds the default token head for an encoder.</summary>
    private protected static TokenHead DefaultTokenHead(IEncoder encoder, int labelCount, TokenHeadOptions? options) =>
        new TokenClassificationHead(encoder.HiddenSize, labelCount, options, encoder.Config.HiddenDropoutProb, encoder.Config.InitializerRange);

    /// <summary>Builds the default sequence head for an encoder.</summary>
    private protected static SequenceHead DefaultSequenceHead(IEncoder encoder, int classCount, SentencePooling pooling = SentencePooling.Cls) =>
        new SequenceClassificationHead(encoder.HiddenSize, classCount, encoder.HasPooler, encoder.Config.HiddenDropoutProb, encoder.Config.InitializerRange, pooling);
}
