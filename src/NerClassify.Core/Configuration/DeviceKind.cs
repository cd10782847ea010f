namespace NerClassify.Configuration;

/// <summary>Where tensors live and computation runs.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when TorchSharp reports it is available, else the CPU.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>The first NVIDIA GPU; fails when TorchSharp reports no CUDA.</summary>
    Cuda,
}
