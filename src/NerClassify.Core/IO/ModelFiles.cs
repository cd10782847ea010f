namespace NerClassify.IO;

/// <summary>The file names of a model directory, in Hugging Face's layout. The one place they are spelled.</summary>
internal static class ModelFiles
{
    /// <summary>The encoder configuration plus the label maps and the library's own section.</summary>
    public const string Config = "config.json";

    /// <summary>The weights, as safetensors.</summary>
    public const string Safetensors = "model.safetensors";

    /// <summary>The legacy PyTorch weights file, read when there is no safetensors file.</summary>
    public const string PyTorchWeights = "pytorch_model.bin";

    /// <summary>The WordPiece vocabulary, one token per line.</summary>
    public const string Vocabulary = "vocab.txt";

    /// <summary>The byte-level BPE vocabulary (RoBERTa): token to id.</summary>
    public const string VocabularyJson = "vocab.json";

    /// <summary>The byte-level BPE merges (RoBERTa), one pair per line in priority order.</summary>
    public const string Merges = "merges.txt";

    /// <summary>The SentencePiece model (XLM-RoBERTa).</summary>
    public const string SentencePieceModel = "sentencepiece.bpe.model";

    /// <summary>The tokenizer settings (<c>do_lower_case</c>, special tokens).</summary>
    public const string TokenizerConfig = "tokenizer_config.json";

    /// <summary>The ONNX export that the ONNX Runtime backend runs.</summary>
    public const string Onnx = "model.onnx";
}
