using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NerClassify.Heads;

/// <summary>Creates parameters that outlive any dispose scope open while a module is built.</summary>
internal static class ParameterFactory
{
    /// <summary>
    /// Wraps <paramref name="data"/> in a parameter owned by the module, not by the caller's dispose scope,
    /// so building a model inside a scope does not free its weights when the scope ends.
    /// </summary>
    public static Parameter Create(Tensor data)
    {
        var parameter = new Parameter(data);
        parameter.DetachFromDisposeScope();
        return parameter;
    }
}
