namespace Ring.Shared.Memory;

/// <summary>
/// Keeps a <see cref="GrantArea"/> mapped for a scope, for a thread that reads it without owning it
/// (the DangerousAddRef/DangerousRelease pattern of <c>Interop.HandleLease</c>, on the mapping): a
/// <see cref="GrantArea.Dispose"/> meanwhile unmaps only when the lease ends, so the reader never
/// touches an unmapped page. Invalid when the area was disposed already: nothing may be read then.
/// </summary>
public ref struct MappingLease
{
    private MappedRegionHandle? _mapping;

    public MappingLease(GrantArea area)
    {
        bool added = false;
        try
        {
            area.Mapping.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            added = false;
        }
        _mapping = added ? area.Mapping : null;
    }

    public readonly bool IsValid => _mapping is not null;

    public void Dispose()
    {
        _mapping?.DangerousRelease();
        _mapping = null;
    }
}
