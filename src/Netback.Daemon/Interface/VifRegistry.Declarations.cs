using Netback.Daemon.Configuration;

namespace Netback.Daemon.Interface;

/// <summary>
/// The operator's declarations (the toolstack's backend nodes, written before any frontend
/// appears): looked up and reserved by admission, added, removed and re-rated by the admin channel.
/// Runtime ones are written to the state file before memory changes, so a failed write changes nothing.
/// </summary>
internal sealed partial class VifRegistry
{
    private readonly SortedDictionary<(int DomId, int DevId), VifDeclaration> _declared = [];
    private readonly VifStateFile? _state;

    /// <summary>The declaration of vif (domid, devid), or null.</summary>
    public VifDeclaration? Declaration(int domId, int devId)
    {
        lock (_lock)
        {
            return _declared.GetValueOrDefault((domId, devId));
        }
    }

    /// <summary>Every declaration, by domid then devid.</summary>
    public VifDeclaration[] Declarations()
    {
        lock (_lock)
        {
            return [.. _declared.Values];
        }
    }

    /// <summary>The connected vif of (domid, devid), or null (not connected, or still being set up).</summary>
    public Vif? Connected(int domId, int devId)
    {
        lock (_lock)
        {
            return _vifs.GetValueOrDefault((domId, devId));
        }
    }

    /// <summary>Is (domid, devid) reserved or connected?</summary>
    public bool InUse(int domId, int devId)
    {
        lock (_lock)
        {
            return _vifs.ContainsKey((domId, devId));
        }
    }

    /// <summary>Reserves a declared vif under its declared name, if <paramref name="declaration"/> is still the one in force.</summary>
    public VifIdentity ReserveDeclared(VifDeclaration declaration, Func<string, bool> nameTaken)
    {
        lock (_lock)
        {
            if (!_declared.TryGetValue((declaration.DomId, declaration.DevId), out var current) || !ReferenceEquals(current, declaration))
            {
                throw new VifSetupException($"{VifNames.Generated(declaration.DomId, declaration.DevId)} was redeclared or removed meanwhile; connect again");
            }
            return ReserveLocked(declaration.DomId, declaration.DevId, declaration.Name, nameTaken);
        }
    }

    /// <summary>
    /// Reserves the first declaration (by domid, devid) that <paramref name="owns"/> accepts, with
    /// devid <paramref name="devId"/> if given, and that is not in use; null when there is none.
    /// </summary>
    public (VifDeclaration Declaration, VifIdentity Identity)? ReserveFirstDeclared(Func<VifDeclaration, bool> owns, int? devId,
        Func<string, bool> nameTaken)
    {
        lock (_lock)
        {
            foreach (var d in _declared.Values)
            {
                if (owns(d) && (devId is not { } h || d.DevId == h) && !_vifs.ContainsKey((d.DomId, d.DevId)))
                {
                    return (d, ReserveLocked(d.DomId, d.DevId, d.Name, nameTaken));
                }
            }
            return null;
        }
    }

    /// <summary>
    /// Reserves (domid, devid), which nobody declared, named <paramref name="vifName"/> or
    /// <c>vif&lt;domid&gt;.&lt;devid&gt;</c>; a declared vif's name is not free.
    /// </summary>
    public VifIdentity ReserveUndeclared(int domId, int devId, string? vifName, Func<string, bool> nameTaken)
    {
        lock (_lock)
        {
            if (_declared.ContainsKey((domId, devId)))
            {
                throw new VifSetupException($"{VifNames.Generated(domId, devId)} is declared; connect to it as its owner");
            }
            string name = vifName ?? VifNames.Generated(domId, devId);
            CheckNotDeclaredName(name);
            return ReserveLocked(domId, devId, name, nameTaken);
        }
    }

    /// <summary>
    /// Reserves the first domid in <paramref name="domIds"/> that is neither declared nor in use with
    /// <paramref name="devId"/>, and whose name (<paramref name="vifName"/> or the generated one) is free.
    /// </summary>
    public VifIdentity ReserveFirstUndeclared(NumberRanges domIds, int devId, string? vifName, Func<string, bool> nameTaken)
    {
        lock (_lock)
        {
            if (vifName is not null)
            {
                CheckNotDeclaredName(vifName);
            }
            foreach (int d in domIds.Values())
            {
                if (_declared.ContainsKey((d, devId)) || _vifs.ContainsKey((d, devId)))
                {
                    continue;
                }
                string name = vifName ?? VifNames.Generated(d, devId);
                if (vifName is null && (_names.Contains(name) || IsDeclaredName(name) || nameTaken(name)))
                {
                    continue;
                }
                return ReserveLocked(d, devId, name, nameTaken);
            }
            throw new VifSetupException($"no free domid left in {domIds}");
        }
    }

    /// <summary>
    /// Adds a runtime declaration (<c>netbackctl vif-add</c>): its ids, name and MAC must be free,
    /// declared or live; written to the state file first.
    /// </summary>
    public void Declare(VifDeclaration declaration, Func<string, bool> nameTaken)
    {
        lock (_lock)
        {
            if (VifDeclarationsValidator.Conflict(_declared.Values, declaration) is { } conflict)
            {
                throw new VifDeclarationException(conflict);
            }
            string id = VifNames.Generated(declaration.DomId, declaration.DevId);
            if (_vifs.ContainsKey((declaration.DomId, declaration.DevId)))
            {
                throw new VifDeclarationException($"{id} is in use by a vif nobody declared; declare it once that vif is gone");
            }
            if (_names.Contains(declaration.Name) || nameTaken(declaration.Name))
            {
                throw new VifDeclarationException($"a network device named {declaration.Name} exists already");
            }
            if (_macs.TryGetValue(XenMac.Format(declaration.Mac), out var holder))
            {
                throw new VifDeclarationException($"mac {XenMac.Format(declaration.Mac)} is {holder.Name}'s");
            }
            Persist([.. _declared.Values, declaration]);
            _declared.Add((declaration.DomId, declaration.DevId), declaration);
        }
    }

    /// <summary>
    /// Removes a runtime declaration (<c>netbackctl vif-del</c>). A connected vif is refused unless
    /// <paramref name="force"/>, which hands it back in <paramref name="connected"/> for the caller to
    /// break (outside this lock): its session then tells the frontend Closing.
    /// </summary>
    public VifDeclaration Undeclare(int domId, int devId, bool force, out Vif? connected)
    {
        connected = null;
        string id = VifNames.Generated(domId, devId);
        lock (_lock)
        {
            if (!_declared.TryGetValue((domId, devId), out var declaration))
            {
                throw new VifDeclarationException($"{id} is not declared");
            }
            if (declaration.Source == VifDeclarationSource.Configuration)
            {
                throw new VifDeclarationException($"{id} is declared in the configuration (Netback:Vifs): remove it there and restart");
            }
            if (_vifs.TryGetValue((domId, devId), out var vif))
            {
                if (!force)
                {
                    throw new VifDeclarationException($"{declaration.Name} is connected: stop its frontend first, or vif-del --force disconnects it");
                }
                connected = vif ?? throw new VifDeclarationException($"{declaration.Name} is being connected just now; try again");
            }
            Persist(_declared.Values.Where(d => !ReferenceEquals(d, declaration)));
            _declared.Remove((domId, devId));
            return declaration;
        }
    }

    /// <summary>
    /// Makes <paramref name="rate"/> the declared vif's (<c>netbackctl set rate=</c>), so its next
    /// Connect keeps it; null when (domid, devid) is not declared. Runtime declarations are written
    /// to the state file; configuration ones keep it until the daemon restarts.
    /// </summary>
    public VifDeclaration? SetDeclaredRate(int domId, int devId, RateLimit? rate)
    {
        lock (_lock)
        {
            if (!_declared.TryGetValue((domId, devId), out var declaration))
            {
                return null;
            }
            var updated = declaration with { Spec = declaration.Spec with { Rate = rate } };
            if (updated.Source == VifDeclarationSource.Runtime)
            {
                Persist(_declared.Values.Select(d => ReferenceEquals(d, declaration) ? updated : d));
            }
            _declared[(domId, devId)] = updated;
            return updated;
        }
    }

    /// <summary>Writes the runtime declarations of <paramref name="all"/>, before memory changes.</summary>
    private void Persist(IEnumerable<VifDeclaration> all)
    {
        _state?.Save(all.Where(d => d.Source == VifDeclarationSource.Runtime));
    }

    private bool IsDeclaredName(string name)
    {
        foreach (var d in _declared.Values)
        {
            if (d.Name == name)
            {
                return true;
            }
        }
        return false;
    }

    private void CheckNotDeclaredName(string name)
    {
        foreach (var d in _declared.Values)
        {
            if (d.Name == name)
            {
                throw new VifSetupException($"the name {name} is declared for {VifNames.Generated(d.DomId, d.DevId)}");
            }
        }
    }
}
