using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NerClassify.Inference.Cpu;

/// <summary>The kernels' operations on 512-bit vectors (<see cref="VectorPath.Avx512"/>).</summary>
internal readonly unsafe struct Vector512Ops : IVectorOps<Vector512<float>>
{
    public static int Lanes => 16;

    public static bool CanGather => true;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, float* target) => value.Store(target);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Abs(Vector512<float> x) => Vector512.Abs(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> GreaterThanOrEqual(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> ifTrue, Vector512<float> ifFalse) =>
        Vector512.ConditionalSelect(mask, ifTrue, ifFalse);

    /// <summary>The 14-bit estimate (<c>vrcp14ps</c>) and one Newton step; a division costs several times more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Reciprocal(Vector512<float> x)
    {
        Vector512<float> estimate = Avx512F.Reciprocal14(x);
        return estimate * Vector512.FusedMultiplyAdd(-x, estimate, Vector512.Create(2f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> PowerOfTwo(Vector512<float> n) =>
        Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> x) => Vector512.Sum(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxLane(Vector512<float> x)
    {
        Vector256<float> high8 = Vector256.Max(x.GetLower(), x.GetUpper());
        return Vector256Ops.MaxLane(high8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumEach(Vector512<float> p, Vector512<float> q, Vector512<float> r, Vector512<float> s) =>
        Vector256Ops.SumEach(p.GetLower() + p.GetUpper(), q.GetLower() + q.GetUpper(), r.GetLower() + r.GetUpper(), s.GetLower() + s.GetUpper());

    /// <summary>The four as one 16-lane vector, so GELU costs one vector operation each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GeluOfFour(ref Vector128<float> a, ref Vector128<float> b, ref Vector128<float> c, ref Vector128<float> d)
    {
        Vector512<float> all = KernelMath.Gelu<Vector512<float>, Vector512Ops>(Vector512.Create(Vector256.Create(a, b), Vector256.Create(c, d)));
        a = all.GetLower().GetLower();
        b = all.GetLower().GetUpper();
        c = all.GetUpper().GetLower();
        d = all.GetUpper().GetUpper();
    }
}
