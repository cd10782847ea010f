using NerClassify.Encoders;
using NerClassify.Heads;

namespace NerClassify.Models;

/// <summary>Builds the task model a <see cref="ModelConfig"/> describes: the one place that maps a task to a model type.</summary>
internal static class TaskModels
{
    /// <summary>Creates the model over <paramref name="encoder"/>, which it then owns.</summary>
    public static TaskModel Create(IEncoder encoder, ModelConfig config) => config.Task switch
    {
        TaskKind.Token => new TokenClassificationModel(encoder, config.TokenLabels!, headOptions: config.TokenHead),
        TaskKind.Sequence => new SequenceClassificationModel(encoder, config.SequenceLabels!, pooling: config.SentencePooling),
        _ => new MultitaskModel(encoder, config.TokenLabels!, config.SequenceLabels!, config.Loss, tokenHeadOptions: config.TokenHead, sentencePooling: config.SentencePooling),
    };

    /// <summary>The configuration of a model built directly (tests, benchmarks): its task, labels and head settings.</summary>
    /// <exception cref="NotSupportedException">A head is not a library default.</exception>
    public static ModelConfig Describe(TaskModel model, bool lowerCase)
    {
        TokenHead? tokenHead = (model as TokenClassificationModel)?.Head ?? (model as MultitaskModel)?.TokenHead;
        SequenceHead? sequenceHead = (model as SequenceClassificationModel)?.Head ?? (model as MultitaskModel)?.SequenceHead;
        if (tokenHead is not null and not TokenClassificationHead || sequenceHead is not null and not SequenceClassificationHead)
        {
            throw new NotSupportedException($"Only the default heads can be described; {(tokenHead as object ?? sequenceHead)!.GetType().Name} is a custom head.");
        }

        int maxLength = Math.Min(512, model.Encoder.Config.MaxPositionEmbeddings);
        return new ModelConfig
        {
            Task = model.Kind,
            TokenLabels = model.TokenLabels,
            SequenceLabels = model.SequenceLabels,
            LowerCase = lowerCase,
            MaxLength = maxLength,
            Stride = Math.Min(128, maxLength / 4),
            EncoderHasPooler = model.Encoder.HasPooler,
            TokenHead = (tokenHead as TokenClassificationHead)?.Options ?? new TokenHeadOptions(),
            SentencePooling = (sequenceHead as SequenceClassificationHead)?.Pooling ?? SentencePooling.Cls,
            Loss = (model as MultitaskModel)?.Loss ?? new MultitaskLossOptions(),
        };
    }
}
