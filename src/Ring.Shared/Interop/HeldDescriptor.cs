namespace Ring.Shared.Interop;

/// <summary>
/// A reference (<c>DangerousAddRef</c>) on a descriptor held for the owner's whole life, so the hot
/// path can use the raw fd without a per-call add/release and without racing a concurrent Dispose:
/// the fd cannot be closed (and its number reused) until <see cref="Release"/>. For a scope within
/// one method, <see cref="HandleLease"/> does the same.
/// </summary>
public sealed class HeldDescriptor
{
    private FileDescriptorHandle? _handle;

    public HeldDescriptor(FileDescriptorHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        _handle = handle;
        Fd = handle.Fd;
    }

    /// <summary>The raw descriptor; valid until <see cref="Release"/>.</summary>
    public int Fd { get; }

    /// <summary>Drops the reference (idempotent); the handle closes once its owner disposes it.</summary>
    public void Release()
    {
        _handle?.DangerousRelease();
        _handle = null;
    }
}
