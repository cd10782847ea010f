namespace NerClassify.Inference.Cpu;

/// <summary>What every kernel call of one forward pass is told: the vector path and how many threads may share it.</summary>
/// <param name="Path">The vector width to run (<see cref="VectorPaths.Best"/> in production; any runnable path in tests).</param>
/// <param name="Threads">Threads, the caller included, that may share one call (at least 1).</param>
internal readonly record struct KernelContext(VectorPath Path, int Threads);
