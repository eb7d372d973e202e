using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;

namespace Netback.Tests.Support;

/// <summary>A data path whose workers never join: a vif's teardown then takes its full 5 s join timeout.</summary>
internal sealed class StuckDataPath : IDataPath
{
    public IVifWorkers Start(Vif vif) => new Workers();

    private sealed class Workers : IVifWorkers
    {
        public void SignalStop()
        {
        }

        public IReadOnlyList<string> Join(TimeSpan timeout)
        {
            Thread.Sleep(timeout);
            return ["stuck-q0"];
        }

        public void SetRate(RateLimit? rate)
        {
        }
    }
}
