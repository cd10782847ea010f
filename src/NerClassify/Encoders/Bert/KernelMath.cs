using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// The exponential (for the attention softmax) and exact GELU on 16 floats at a time for the inference kernels.
/// .NET's own <c>Vector512.Exp</c> runs at scalar speed (about 2-3 ns a value on the reference machine); these run
/// at a few instructions a vector. Multiply-adds are written as <c>FusedMultiplyAdd</c>: the JIT does not fuse a
/// multiply and an add by itself.
/// </summary>
internal static class KernelMath
{
    /// <summary>
    /// e^x with a relative error of a few float steps, for x in [-87.3, 88] (clamped outside): x = n·ln 2 + r,
    /// e^r from a degree-6 polynomial on |r| ≤ ln 2 / 2, and 2^n built in the exponent bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-87.33654f)), Vector512.Create(88f));
        // Round to nearest by adding and subtracting 1.5·2^23 (Vector512.Round is not an instruction here).
        Vector512<float> shifter = Vector512.Create(12582912f);
        Vector512<float> n = Vector512.FusedMultiplyAdd(x, Vector512.Create(1.44269504f), shifter) - shifter;
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        Vector512<float> p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        Vector512<float> expR = Vector512.FusedMultiplyAdd(p * r, r, r) + Vector512<float>.One;
        // n is a whole number, so the conversion is exact in any rounding mode.
        Vector512<int> twoToN = Vector512.ShiftLeft(Avx512F.ConvertToVector512Int32(n) + Vector512.Create(127), 23);
        return expR * twoToN.AsSingle();
    }

    /// <summary>1/x from the 14-bit hardware estimate and one Newton step (a division costs several times more).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reciprocal(Vector512<float> x)
    {
        Vector512<float> estimate = Avx512F.Reciprocal14(x);
        return estimate * Vector512.FusedMultiplyAdd(-x, estimate, Vector512.Create(2f));
    }

    /// <summary>
    /// Exact GELU, <c>x·Φ(x)</c>, with Φ from erfc(z) = 1/(1 + a₁z + … + a₆z⁶)¹⁶ (Abramowitz and Stegun 7.1.28,
    /// absolute error under 3e-7), computed from |x| so that the negative tail keeps its relative accuracy. It takes
    /// about half the instructions of the exp-based 7.1.26.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Gelu(Vector512<float> x)
    {
        // Past z = 6 erfc is below 3e-17 and taken as 0; clamping z there keeps the power below finite.
        Vector512<float> z = Vector512.Abs(x) * Vector512.Create(0.70710677f);
        Vector512<float> inRange = Vector512.LessThan(z, Vector512.Create(6f));
        z = Vector512.Min(z, Vector512.Create(6f));
        Vector512<float> p = Vector512.Create(0.0000430638f);
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(0.0002765672f));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(0.0001520143f));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(0.0092705272f));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(0.0422820123f));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(0.0705230784f));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512<float>.One);
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        Vector512<float> halfTail = Vector512.ConditionalSelect(inRange, Vector512.Create(0.5f) * Reciprocal(p), Vector512<float>.Zero); // erfc(|x|/√2) / 2
        Vector512<float> phi = Vector512.ConditionalSelect(
            Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.One - halfTail, halfTail);
        return x * phi;
    }
}
