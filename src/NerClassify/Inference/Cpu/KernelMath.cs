using System.Runtime.CompilerServices;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// The exponential (for the attention softmax) and exact GELU on a vector of floats at a time, for every
/// <see cref="VectorPath"/>. .NET's own <c>Vector512.Exp</c> runs at scalar speed (about 2-3 ns a value on the reference
/// machine); these run at a few instructions a vector. Multiply-adds are written out (<c>MultiplyAdd</c>): the JIT does
/// not fuse a multiply and an add by itself.
/// </summary>
internal static class KernelMath
{
    /// <summary>
    /// e^x with a relative error of a few float steps, for x in [-87.3, 88] (clamped outside): x = n·ln 2 + r,
    /// e^r from a degree-6 polynomial on |r| ≤ ln 2 / 2, and 2^n built in the exponent bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Exp<TVector, TOps>(TVector x)
        where TVector : struct
        where TOps : struct, IVectorOps<TVector>
    {
        x = TOps.Min(TOps.Max(x, TOps.Broadcast(-87.33654f)), TOps.Broadcast(88f));
        // Round to nearest by adding and subtracting 1.5·2^23 (a rounding instruction is not there on every path).
        TVector shifter = TOps.Broadcast(12582912f);
        TVector n = TOps.Subtract(TOps.MultiplyAdd(x, TOps.Broadcast(1.44269504f), shifter), shifter);
        TVector r = TOps.MultiplyAdd(n, TOps.Broadcast(-0.693359375f), x);
        r = TOps.MultiplyAdd(n, TOps.Broadcast(2.12194440e-4f), r);
        TVector p = TOps.Broadcast(1.9875691500e-4f);
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.3981999507e-3f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(8.3334519073e-3f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(4.1665795894e-2f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.6666665459e-1f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(5.0000001201e-1f));
        TVector expR = TOps.Add(TOps.MultiplyAdd(TOps.Multiply(p, r), r, r), TOps.Broadcast(1f));
        // n is a whole number, so its conversion to an integer is exact.
        return TOps.Multiply(expR, TOps.PowerOfTwo(n));
    }

    /// <summary>
    /// Exact GELU, <c>x·Φ(x)</c>, with Φ from erfc(z) = 1/(1 + a₁z + … + a₆z⁶)¹⁶ (Abramowitz and Stegun 7.1.28,
    /// absolute error under 3e-7), computed from |x| so that the negative tail keeps its relative accuracy. It takes
    /// about half the instructions of the exp-based 7.1.26.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Gelu<TVector, TOps>(TVector x)
        where TVector : struct
        where TOps : struct, IVectorOps<TVector>
    {
        // Past z = 6 erfc is below 3e-17 and taken as 0; clamping z there keeps the power below finite.
        TVector six = TOps.Broadcast(6f);
        TVector z = TOps.Multiply(TOps.Abs(x), TOps.Broadcast(0.70710677f));
        TVector inRange = TOps.LessThan(z, six);
        z = TOps.Min(z, six);
        TVector p = TOps.Broadcast(0.0000430638f);
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(0.0002765672f));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(0.0001520143f));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(0.0092705272f));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(0.0422820123f));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(0.0705230784f));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1f));
        p = TOps.Multiply(p, p);
        p = TOps.Multiply(p, p);
        p = TOps.Multiply(p, p);
        p = TOps.Multiply(p, p);
        TVector halfTail = TOps.Select(inRange, TOps.Multiply(TOps.Broadcast(0.5f), TOps.Reciprocal(p)), TOps.Zero); // erfc(|x|/√2) / 2
        TVector phi = TOps.Select(TOps.GreaterThanOrEqual(x, TOps.Zero), TOps.Subtract(TOps.Broadcast(1f), halfTail), halfTail);
        return TOps.Multiply(x, phi);
    }
}
