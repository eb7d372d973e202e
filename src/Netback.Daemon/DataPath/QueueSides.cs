namespace Netback.Daemon.DataPath;

/// <summary>Which directions of a queue one <see cref="QueueService{TIo}"/> serves.</summary>
[Flags]
internal enum QueueSides
{
    /// <summary>Guest TX: the frontend's requests to the TAP (Linux netback's NAPI poll).</summary>
    Tx = 1,

    /// <summary>Guest RX: the TAP's frames into the frontend's posted buffers (xenvif_kthread_guest_rx).</summary>
    Rx = 2,

    /// <summary>Both on one thread: <c>per-queue</c> and <c>pool:N</c>.</summary>
    Both = Tx | Rx,
}
