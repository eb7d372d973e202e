using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;

namespace Netback.Daemon.Access;

/// <summary>One vif counted against its uid; returned exactly once.</summary>
internal sealed class VifLease : IDisposable
{
    private readonly PeerVifLedger _ledger;
    private readonly uint _uid;
    private int _returned;

    public VifLease(PeerVifLedger ledger, uint uid)
    {
        _ledger = ledger;
        _uid = uid;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
        {
            _ledger.Return(_uid);
        }
    }
}
