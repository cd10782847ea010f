using System.Runtime.Intrinsics;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// The vector operations the kernels need, for one vector type. The kernels are generic over a struct that implements
/// this, so the JIT compiles one copy per vector width with every call inlined (.NET's own <c>ISimdVector</c> is not public).
/// </summary>
/// <typeparam name="TVector">The vector of floats (<c>Vector512&lt;float&gt;</c>, <c>Vector256&lt;float&gt;</c>, <c>Vector128&lt;float&gt;</c>).</typeparam>
internal unsafe interface IVectorOps<TVector>
    where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Lanes { get; }

    /// <summary>Whether this vector type can read keys with hardware gathers (AVX2).</summary>
    static abstract bool CanGather { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Load(float* source);

    static abstract void Store(TVector value, float* target);

    static abstract TVector Broadcast(float value);

    static abstract TVector Add(TVector a, TVector b);

    static abstract TVector Subtract(TVector a, TVector b);

    static abstract TVector Multiply(TVector a, TVector b);

    /// <summary><c>a · b + c</c> rounded once.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    static abstract TVector Min(TVector a, TVector b);

    static abstract TVector Max(TVector a, TVector b);

    static abstract TVector Abs(TVector x);

    /// <summary>All ones in the lanes where <c>a &lt; b</c>.</summary>
    static abstract TVector LessThan(TVector a, TVector b);

    /// <summary>All ones in the lanes where <c>a ≥ b</c>.</summary>
    static abstract TVector GreaterThanOrEqual(TVector a, TVector b);

    /// <summary><paramref name="ifTrue"/> where <paramref name="mask"/> is set, else <paramref name="ifFalse"/>.</summary>
    static abstract TVector Select(TVector mask, TVector ifTrue, TVector ifFalse);

    /// <summary>1/x to within a float step or two (a hardware estimate and a Newton step where there is one).</summary>
    static abstract TVector Reciprocal(TVector x);

    /// <summary>2^n for whole numbers n in [-126, 127], built in the exponent bits.</summary>
    static abstract TVector PowerOfTwo(TVector n);

    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TVector x);

    /// <summary>The largest lane.</summary>
    static abstract float MaxLane(TVector x);

    /// <summary>The lane sums of four vectors, as one 4-lane vector.</summary>
    static abstract Vector128<float> SumEach(TVector p, TVector q, TVector r, TVector s);

    /// <summary>Exact GELU of four 4-lane vectors, in as few vector operations as this width allows.</summary>
    static abstract void GeluOfFour(ref Vector128<float> a, ref Vector128<float> b, ref Vector128<float> c, ref Vector128<float> d);
}
