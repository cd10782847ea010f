using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Heads;

namespace NerClassify.Models;

/// <summary>Builds the task model a <see cref="ModelConfig"/> describes: the one place that maps a task to a model type.</summary>
internal static class TaskModels
{
    /// <summary>Creates the model over <paramref name="encoder"/>, which it then owns, and gives it <paramref name="config"/>.</summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="config">The task, labels and head settings; a custom head type named here is built by <paramref name="heads"/>.</param>
    /// <param name="heads">Factories of custom heads, or null when the configuration names none.</param>
    /// <param name="source">Where the configuration came from, for messages.</param>
    /// <exception cref="InvalidOperationException">The configuration names a head type <paramref name="heads"/> does not know.</exception>
    public static TaskModel Create(IEncoder encoder, ModelConfig config, HeadRegistry? heads = null, string source = "the model configuration")
    {
        TokenHead? tokenHead = null;
        SequenceHead? sequenceHead = null;
        try
        {
            if (config.TokenHeadType is { } tokenType)
            {
                var context = new HeadContext(encoder.HiddenSize, config.TokenLabels!.Count, encoder.Config, encoder.HasPooler);
                tokenHead = (heads ?? new HeadRegistry()).CreateTokenHead(tokenType, context, source);
            }

            if (config.SequenceHeadType is { } sequenceType)
            {
                var context = new HeadContext(encoder.HiddenSize, config.SequenceLabels!.Count, encoder.Config, encoder.HasPooler);
                sequenceHead = (heads ?? new HeadRegistry()).CreateSequenceHead(sequenceType, context, source);
            }

            TaskModel model = config.Task switch
            {
                TaskKind.Token => new TokenClassificationModel(encoder, config.TokenLabels!, tokenHead, config.TokenHead),
                TaskKind.Sequence => new SequenceClassificationModel(encoder, config.SequenceLabels!, sequenceHead, config.SentencePooling),
                _ => new MultitaskModel(encoder, config.TokenLabels!, config.SequenceLabels!, config.Loss, tokenHead, sequenceHead, config.TokenHead, config.SentencePooling),
            };
            model.Config = config;
            return model;
        }
        catch
        {
            tokenHead?.Dispose();
            sequenceHead?.Dispose();
            throw;
        }
    }
}
