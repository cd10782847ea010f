namespace NerClassify.Inference;

/// <summary>
/// Counts the calls in flight on a disposable object so that disposal waits for them and later calls are refused
/// with <see cref="ObjectDisposedException"/>. Native memory is freed only after the last call has left.
/// </summary>
internal sealed class CallGuard(string objectName)
{
    private readonly object _gate = new();
    private int _active;
    private bool _disposed;

    /// <summary>Whether disposal has begun.</summary>
    public bool IsDisposed
    {
        get
        {
            lock (_gate)
            {
                return _disposed;
            }
        }
    }

    /// <summary>Registers a call; dispose the result when the call ends.</summary>
    /// <exception cref="ObjectDisposedException">Disposal has begun.</exception>
    public Lease Enter()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                // ThrowIf(bool, object) would report the instance's type, here System.String, not the owner's name.
                throw new ObjectDisposedException(objectName);
            }

            _active++;
            return new Lease(this);
        }
    }

    /// <summary>Refuses new calls, waits for those in flight, and reports whether this was the first disposal.</summary>
    public bool BeginDispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
            while (_active > 0)
            {
                Monitor.Wait(_gate);
            }

            return true;
        }
    }

    private void Exit()
    {
        lock (_gate)
        {
            if (--_active == 0)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>One call in flight.</summary>
    public readonly struct Lease(CallGuard guard) : IDisposable
    {
        /// <summary>Ends the call.</summary>
        public void Dispose() => guard.Exit();
    }
}
