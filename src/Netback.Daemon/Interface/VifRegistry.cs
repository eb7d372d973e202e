using System.Net.NetworkInformation;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Interface;

/// <summary>
/// The backend's directory of vifs (xenstore's <c>backend/vif/&lt;domid&gt;/&lt;devid&gt;</c>): the
/// operator's declarations (<see cref="VifRegistry"/>.Declarations.cs) and the vifs reserved or
/// connected now, with their names and MACs, each unique. One lock for all of it, so a declaration
/// and a Connect never race; control plane only (never a worker).
/// </summary>
internal sealed partial class VifRegistry
{
    public const int MaxDomId = VifDeclaration.MaxDomId;
    public const int MaxHandle = VifDeclaration.MaxDevId;

    private readonly object _lock = new();
    private readonly Dictionary<(int, int), Vif?> _vifs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    /// <summary>The MAC of every reserved or connected vif (xl form), and which vif holds it.</summary>
    private readonly Dictionary<string, VifIdentity> _macs = new(StringComparer.Ordinal);
    private readonly int _maxVifs;

    /// <summary>A registry with no declarations, kept in memory only.</summary>
    public VifRegistry(int maxVifs) : this(maxVifs, [], null)
    {
    }

    /// <param name="declarations">What the operator declared (configuration, then the state file).</param>
    /// <param name="state">Where runtime declarations are kept; null: memory only.</param>
    public VifRegistry(int maxVifs, IEnumerable<VifDeclaration> declarations, VifStateFile? state)
    {
        _maxVifs = maxVifs;
        _state = state;
        foreach (var d in declarations)
        {
            _declared.Add((d.DomId, d.DevId), d);
        }
    }

    /// <summary>
    /// Marks <paramref name="mac"/> as the reserved vif <paramref name="identity"/>'s: no other vif,
    /// live or declared (but its own declaration), may have it. Released with the identity.
    /// </summary>
    public void ClaimMac(VifIdentity identity, PhysicalAddress mac, VifDeclaration? own)
    {
        string text = XenMac.Format(mac);
        lock (_lock)
        {
            if (_macs.TryGetValue(text, out var holder) && holder != identity)
            {
                throw new VifSetupException($"mac {text} is {holder.Name}'s");
            }
            foreach (var d in _declared.Values)
            {
                if (!ReferenceEquals(d, own) && Equals(d.Mac, mac))
                {
                    throw new VifSetupException($"mac {text} is {d.Name}'s");
                }
            }
            _macs[text] = identity;
        }
    }

    public void Register(Vif vif)
    {
        lock (_lock)
        {
            _vifs[(vif.Identity.DomId, vif.Identity.Handle)] = vif;
        }
    }

    /// <summary>Gives back a reservation or a gone vif: its ids, its name and its MAC.</summary>
    public void Release(VifIdentity identity)
    {
        lock (_lock)
        {
            _vifs.Remove((identity.DomId, identity.Handle));
            _names.Remove(identity.Name);
            foreach (var (mac, holder) in _macs)
            {
                if (holder == identity)
                {
                    _macs.Remove(mac);
                    break;
                }
            }
        }
    }

    public Vif[] Snapshot()
    {
        lock (_lock)
        {
            return _vifs.Values.Where(v => v is not null).Select(v => v!).ToArray();
        }
    }

    /// <summary>Vifs reserved or connected (what a reservation counts against the maximum).</summary>
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

    /// <summary>Takes (domid, handle) and <paramref name="name"/>, both free; under the lock.</summary>
    private VifIdentity ReserveLocked(int domId, int handle, string name, Func<string, bool> nameTaken)
    {
        if (_vifs.Count >= _maxVifs)
        {
            throw new VifSetupException($"the daemon serves its maximum of {_maxVifs} vifs");
        }
        if (_vifs.ContainsKey((domId, handle)))
        {
            throw new VifSetupException($"{VifNames.Generated(domId, handle)} exists already");
        }
        if (_names.Contains(name) || nameTaken(name))
        {
            throw new VifSetupException($"a network device named {name} exists already");
        }
        _vifs[(domId, handle)] = null;
        _names.Add(name);
        return new VifIdentity(domId, handle, name);
    }
}
