namespace NerClassify.Configuration;

/// <summary>How the sentence head sums up a sentence before classifying it.</summary>
public enum SentencePooling
{
    /// <summary>
    /// The <c>[CLS]</c> state through a dense layer and tanh (the encoder's pooler), as BERT and Hugging Face's
    /// <c>BertForSequenceClassification</c> do.
    /// </summary>
    Cls,

    /// <summary>
    /// The mean of the states of the sentence's tokens (padding excluded, special tokens included), the pooling
    /// sentence-transformers models such as all-MiniLM-L6-v2 were trained with.
    /// </summary>
    Mean,
}
