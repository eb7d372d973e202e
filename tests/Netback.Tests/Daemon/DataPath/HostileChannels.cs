using Netback.Tests.Support;
using Ring.Shared.Interop;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// A hostile frontend's four eventfds (split channels: TX kick and call, RX kick and call), kept by
/// the test to attack the descriptions it shares with the worker, and closed together.
/// </summary>
internal sealed class HostileChannels : IDisposable
{
    private HostileChannels(bool semaphoreKicks)
    {
        TxKick = HostileEventFds.Create(semaphore: semaphoreKicks);
        TxCall = HostileEventFds.Create();
        RxKick = HostileEventFds.Create(semaphore: semaphoreKicks);
        RxCall = HostileEventFds.Create();
    }

    public FileDescriptorHandle TxKick { get; }

    public FileDescriptorHandle TxCall { get; }

    public FileDescriptorHandle RxKick { get; }

    public FileDescriptorHandle RxCall { get; }

    /// <summary>Four non-blocking eventfds; the kicks in EFD_SEMAPHORE mode with <paramref name="semaphoreKicks"/>.</summary>
    public static HostileChannels Create(bool semaphoreKicks = false) => new(semaphoreKicks);

    /// <summary>Connects a <see cref="HostileFrontend"/> with these channels (see <see cref="HostileEventFds.Connect"/>).</summary>
    public (HostileFrontend Front, string Vif) Connect(string socketPath) =>
        HostileEventFds.Connect(socketPath, TxKick, TxCall, RxKick, RxCall);

    public void Dispose()
    {
        TxKick.Dispose();
        TxCall.Dispose();
        RxKick.Dispose();
        RxCall.Dispose();
    }
}
