namespace Netback.Daemon.Interface;

/// <summary>
/// The engine that serves a vif's queues (guest TX and RX). DataPath implements it; this layer only
/// starts and stops it, as interface.c's <c>xenvif_connect_data</c> starts the threads of netback.c
/// and rx.c without knowing what they do.
/// </summary>
internal interface IDataPath
{
    /// <summary>
    /// How queues get threads: one named worker per queue (the roadmap's 1:1 model; <c>pool:N</c> and
    /// <c>split</c> are not built). Said in the connected line and by <c>netbackctl show</c>.
    /// </summary>
    const string Threads = "per-queue";

    /// <summary>Starts serving every queue of <paramref name="vif"/> (attached, not yet registered).</summary>
    IVifWorkers Start(Vif vif);
}
