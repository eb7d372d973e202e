namespace Netback.Daemon.Interface;

/// <summary>
/// The engine that serves a vif's queues (guest TX and RX). DataPath implements it; this layer only
/// starts and stops it, as interface.c's <c>xenvif_connect_data</c> starts the threads of netback.c
/// and rx.c without knowing what they do.
/// </summary>
internal interface IDataPath
{
    /// <summary>
    /// True when a queue's guest TX and guest RX run on two threads (<c>Netback:Threads=split</c>):
    /// each direction then needs a call notifier of its own, since a notifier is owned by one thread.
    /// </summary>
    bool ThreadPerDirection => false;

    /// <summary>Starts serving every queue of <paramref name="vif"/> (attached, not yet registered).</summary>
    IVifWorkers Start(Vif vif);
}
