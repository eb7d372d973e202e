using Ring.Shared.Control;

namespace Netback.Daemon.Interface;

/// <summary>The (domid, handle) pair and netdev name of a vif, unique while it lives.</summary>
internal sealed record VifIdentity(int DomId, int Handle, string Name);

/// <summary>
/// Hands out vif identities (next free domid from 1 with devid 0, as the daemon's default, or the
/// pair a frontend asks for) and keeps the live vifs for metrics and shutdown.
/// </summary>
internal sealed class VifRegistry
{
    /// <summary>DOMID_FIRST_RESERVED is 0x7FF0: domids above it are Xen's own.</summary>
    public const int MaxDomId = 0x7FEF;
    public const int MaxHandle = 255;

    private readonly object _lock = new();
    private readonly Dictionary<(int, int), Vif?> _vifs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly int _maxVifs;

    public VifRegistry(int maxVifs) => _maxVifs = maxVifs;

    public VifIdentity Reserve(int? domId, int? handle, string? vifName, Func<string, bool> nameTaken)
    {
        lock (_lock)
        {
            if (_vifs.Count >= _maxVifs)
            {
                throw new ControlProtocolException($"the daemon serves its maximum of {_maxVifs} vifs");
            }
            int h = handle ?? 0;
            int d;
            if (domId is { } requested)
            {
                if (_vifs.ContainsKey((requested, h)))
                {
                    throw new ControlProtocolException($"vif{requested}.{h} exists already");
                }
                d = requested;
            }
            else
            {
                d = 1;
                while (_vifs.ContainsKey((d, h)) || _names.Contains($"vif{d}.{h}") || nameTaken($"vif{d}.{h}"))
                {
                    if (++d > MaxDomId)
                    {
                        throw new ControlProtocolException("no free domid left");
                    }
                }
            }
            string name = vifName ?? $"vif{d}.{h}";
            if (_names.Contains(name) || nameTaken(name))
            {
                throw new ControlProtocolException($"a network device named {name} exists already");
            }
            _vifs[(d, h)] = null;
            _names.Add(name);
            return new VifIdentity(d, h, name);
        }
    }

    public void Register(Vif vif)
    {
        lock (_lock)
        {
            _vifs[(vif.Identity.DomId, vif.Identity.Handle)] = vif;
        }
    }

    public void Release(VifIdentity identity)
    {
        lock (_lock)
        {
            _vifs.Remove((identity.DomId, identity.Handle));
            _names.Remove(identity.Name);
        }
    }

    public Vif[] Snapshot()
    {
        lock (_lock)
        {
            return _vifs.Values.Where(v => v is not null).Select(v => v!).ToArray();
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _vifs.Count;
            }
        }
    }
}
