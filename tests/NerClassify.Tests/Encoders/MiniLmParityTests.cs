using FluentAssertions;
using Xunit.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = TorchSharp.torch.Tensor;
using Microsoft.ML.Tokenizers;
using NerClassify.Encoders;
using NerClassify.Pretrained;
using NerClassify.Tests.TestSupport;
using static TorchSharp.torch;

namespace NerClassify.Tests.Encoders;

/// <summary>The real offline default against ONNX Runtime running the very same graph.</summary>
[Collection(TorchCollection.Name)]
public sealed class MiniLmParityTests(ITestOutputHelper output)
{
    private static readonly string[] Sentences =
    [
        "EU rejects German call to boycott British lamb .",
        "Peter Blackburn",
        "BRUSSELS 1996-08-22",
        "The European Commission said on Thursday it disagreed with German advice to consumers to shun British lamb until scientists determine whether mad cow disease can be transmitted to sheep .",
        "Germany 's representative to the European Union 's veterinary committee Werner Zwingmann said on Wednesday consumers should buy sheepmeat from countries other than Britain until the scientific advice was clearer .",
        "Slask Wroclaw 3 Odra Wodzislaw 1",
        "Lamonts said it plans to issue 9 million shares of new common stock .",
        "Café owners in Zürich say naïve tourists pay € 5 for coffee !",
        "Results of English league soccer matches on Saturday :",
    ];

    [Fact]
    public void Encode_MiniLmFromEmbeddedOnnx_MatchesOnnxRuntimeWithin1e4()
    {
        using PretrainedEncoder pretrained = PretrainedEncoders.MiniLmL6V2();
        pretrained.Encoder.eval();
        (long[] ids, long[] mask, int batch, int length) = Encode(pretrained.Vocabulary, Sentences);

        float[] ours;
        using (NewDisposeScope())
        using (inference_mode())
        {
            Tensor idTensor = tensor(ids).reshape(batch, length);
            Tensor maskTensor = tensor(mask).reshape(batch, length);
            ours = pretrained.Encoder.Encode(idTensor, maskTensor).LastHiddenState.data<float>().ToArray();
        }

        float[] reference = RunOnnxRuntime(ids, mask, batch, length);

        ours.Length.Should().Be(reference.Length);
        float maxDifference = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            // Padding positions are compared too: both runtimes compute them the same way.
            maxDifference = Math.Max(maxDifference, Math.Abs(ours[i] - reference[i]));
        }

        output.WriteLine($"max |TorchSharp - ONNX Runtime| over [{batch}, {length}, 384] = {maxDifference:E2}");
        maxDifference.Should().BeLessThan(1e-4f);
        pretrained.LoadReport!.IsExact.Should().BeTrue();
    }

    [Fact]
    public void MiniLmL6V2_Config_IsAllMiniLmL6V2()
    {
        using PretrainedEncoder pretrained = PretrainedEncoders.MiniLmL6V2();

        pretrained.Encoder.Config.Should().BeEquivalentTo(new
        {
            VocabSize = 30522,
            HiddenSize = 384,
            NumHiddenLayers = 6,
            NumAttentionHeads = 12,
            IntermediateSize = 1536,
            MaxPositionEmbeddings = 512,
            LayerNormEps = 1e-12,
        });
        pretrained.Vocabulary.LowerCase.Should().BeTrue();
        pretrained.Encoder.HasPooler.Should().BeTrue();
    }

    internal static (long[] Ids, long[] Mask, int Batch, int Length) Encode(BertVocabulary vocabulary, IReadOnlyList<string> sentences)
    {
        using Stream vocab = vocabulary.OpenRead();
        BertTokenizer tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = vocabulary.LowerCase });
        List<int[]> encoded = sentences.Select(s => tokenizer.EncodeToIds(s).ToArray()).ToList();
        int length = encoded.Max(e => e.Length);
        long[] ids = new long[sentences.Count * length];
        long[] mask = new long[sentences.Count * length];
        for (int row = 0; row < encoded.Count; row++)
        {
            for (int column = 0; column < encoded[row].Length; column++)
            {
                ids[(row * length) + column] = encoded[row][column];
                mask[(row * length) + column] = 1;
            }
        }

        return (ids, mask, sentences.Count, length);
    }

    private static float[] RunOnnxRuntime(long[] ids, long[] mask, int batch, int length)
    {
        using Stream model = PretrainedEncoders.OpenMiniLmResource("model.onnx");
        using var buffer = new MemoryStream();
        model.CopyTo(buffer);
        using var session = new InferenceSession(buffer.ToArray());
        int[] shape = [batch, length];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, shape)),
        };
        if (session.InputMetadata.ContainsKey("token_type_ids"))
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], shape)));
        }

        using var results = session.Run(inputs);
        DisposableNamedOnnxValue hidden = results.First(r => r.AsTensor<float>().Dimensions.Length == 3);
        return hidden.AsTensor<float>().ToArray();
    }
}
