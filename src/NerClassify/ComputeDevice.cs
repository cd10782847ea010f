using NerClassify.Configuration;
using TorchSharp;

namespace NerClassify;

/// <summary>Turns <see cref="ComputeOptions"/> into TorchSharp settings.</summary>
internal static class ComputeDevice
{
    /// <summary>Applies the thread count and returns the TorchSharp device to use.</summary>
    /// <exception cref="InvalidOperationException"><see cref="DeviceKind.Cuda"/> was asked for and CUDA is not available.</exception>
    public static torch.Device Apply(this ComputeOptions options)
    {
        options.Validate();
        if (options.Threads is { } threads)
        {
            torch.set_num_threads(threads);
        }

        return options.Device switch
        {
            DeviceKind.Cpu => torch.CPU,
            DeviceKind.Cuda when torch.cuda.is_available() => torch.CUDA,
            DeviceKind.Cuda => throw new InvalidOperationException("DeviceKind.Cuda was requested but TorchSharp reports no CUDA device; reference a libtorch-cuda package and check the NVIDIA driver."),
            _ => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
        };
    }
}
