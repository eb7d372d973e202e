using Netback.Daemon.Access;
using Netback.Daemon.Configuration;

namespace Netback.Tests.Daemon.Access;

/// <summary>The per-uid vif count: taken atomically with the decision, returned once per lease.</summary>
public sealed class PeerVifLedgerTests
{
    [Fact]
    public void Concurrent_takes_never_exceed_the_limit_and_leases_return_once()
    {
        var ledger = new PeerVifLedger();
        var policy = new AccessPolicy(new AccessOptions { MaxVifsPerUid = 5 }, null, 0);
        var peer = new PeerIdentity(1, 1000, 1000, []);
        int allowed = 0;
        Parallel.For(0, 200, _ =>
        {
            if (ledger.TryTake(1000, held => policy.CheckVif(peer, held, "vif1.0", "00:16:3e:00:00:01")).IsAllowed)
            {
                Interlocked.Increment(ref allowed);
            }
        });
        Assert.Equal(5, allowed);
        Assert.Equal(5, ledger.Held(1000));

        var lease = new VifLease(ledger, 1000);
        lease.Dispose();
        lease.Dispose();
        Assert.Equal(4, ledger.Held(1000));
        Assert.Equal(0, ledger.Held(1001));
    }
}
