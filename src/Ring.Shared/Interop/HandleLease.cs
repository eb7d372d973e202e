using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>
/// Holds a reference on a SafeHandle for a scope so its raw value can be used without racing a
/// concurrent Dispose (the DangerousAddRef/DangerousRelease pattern, written once).
/// </summary>
public ref struct HandleLease
{
    private SafeHandle? _handle;

    public HandleLease(SafeHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            added = false;
        }
        _handle = added ? handle : null;
        Value = added ? (int)handle.DangerousGetHandle() : -1;
    }

    /// <summary>The raw descriptor, or -1 when the handle was already closed.</summary>
    public int Value { get; }

    public readonly bool IsValid => _handle is not null;

    public void Dispose()
    {
        _handle?.DangerousRelease();
        _handle = null;
    }
}
