using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Inference.Cpu;

/// <summary>Where a tensor's floats are and what shape it has, read without the allocations of TorchSharp's <c>shape</c>.</summary>
internal static unsafe class TensorMemory
{
    /// <summary>The tensor's sizes, read one dimension at a time: TorchSharp's <c>shape</c> allocates three objects a call, and
    /// the two dozen kernel calls of a forward pass read sizes about ten times each.</summary>
    public static long[] SizesOf(Tensor tensor)
    {
        var sizes = new long[tensor.dim()];
        for (int i = 0; i < sizes.Length; i++)
        {
            sizes[i] = tensor.size(i);
        }

        return sizes;
    }

    /// <summary>Whether the two tensors have the same sizes.</summary>
    public static bool HaveSameSizes(Tensor x, Tensor y)
    {
        long dims = x.dim();
        if (y.dim() != dims)
        {
            return false;
        }

        for (int i = 0; i < dims; i++)
        {
            if (x.size(i) != y.size(i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the kernels can read the tensor in place: float32, on the CPU, contiguous.</summary>
    public static bool IsContiguousFloatOnCpu(Tensor tensor) =>
        tensor.dtype == ScalarType.Float32 && tensor.device_type == DeviceType.CPU && tensor.is_contiguous();

    /// <summary>The first float of a contiguous CPU tensor (<c>Tensor.bytes</c> spans its native storage, which does not move).</summary>
    public static float* DataOf(Tensor tensor) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
}
