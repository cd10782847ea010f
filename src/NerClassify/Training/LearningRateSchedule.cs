namespace NerClassify.Training;

/// <summary>How the learning rate changes over training.</summary>
public enum LearningRateSchedule
{
    /// <summary>Linear warm-up from 0, then linear decay to 0 at the last step (Hugging Face's default).</summary>
    Linear,

    /// <summary>Linear warm-up from 0, then constant.</summary>
    Constant,
}
