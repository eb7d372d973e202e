using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Interface;

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
                throw new VifSetupException($"the daemon serves its maximum of {_maxVifs} vifs");
            }
            int h = handle ?? 0;
            int d;
            if (domId is { } requested)
            {
                if (_vifs.ContainsKey((requested, h)))
                {
                    throw new VifSetupException($"vif{requested}.{h} exists already");
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
                        throw new VifSetupException("no free domid left");
                    }
                }
            }
            string name = vifName ?? $"vif{d}.{h}";
            if (_names.Contains(name) || nameTaken(name))
            {
                throw new VifSetupException($"a network device named {name} exists already");
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

    /// <summary>Vifs reserved or connected (what <see cref="Reserve"/> counts against the maximum).</summary>
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

    /// <summary>Vifs connected and serving (registered), not the ones still being set up.</summary>
    public int ConnectedCount
    {
        get
        {
            lock (_lock)
            {
                return _vifs.Values.Count(v => v is not null);
            }
        }
    }

    /// <summary>Every connected queue's counters, for the metrics.</summary>
    public IEnumerable<QueueCounterSet> CounterSets()
    {
        foreach (var vif in Snapshot())
        {
            foreach (var q in vif.Queues)
            {
                yield return new QueueCounterSet(vif.Name, q.Index, q.Counters);
            }
        }
    }
}
