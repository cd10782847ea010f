namespace NerClassify.Tokenization;

/// <summary>Which subword tokenizer a <see cref="BertVocabulary"/> belongs to, and so which files it reads and writes.</summary>
public enum VocabularyKind
{
    /// <summary>BERT's WordPiece: <c>vocab.txt</c>, one token per line.</summary>
    WordPiece,

    /// <summary>RoBERTa's byte-level BPE: <c>vocab.json</c> and <c>merges.txt</c>.</summary>
    ByteLevelBpe,

    /// <summary>XLM-RoBERTa's SentencePiece model: <c>sentencepiece.bpe.model</c> (a Unigram model, despite its name).</summary>
    SentencePiece,
}
