namespace Ring.Shared.Events;

/// <summary>How the backend signals a call eventfd (backend → frontend); see <see cref="CallNotifier"/>.</summary>
public enum NotifyMechanism
{
    /// <summary>An io_uring with the eventfd registered; each signal is a NOP whose completion the kernel posts with eventfd_signal.</summary>
    IoUring,

    /// <summary>Linux AIO: each signal is an IOCB_CMD_POLL on an always-ready fd of ours with IOCB_FLAG_RESFD naming the eventfd.</summary>
    Aio,

    /// <summary>write(2) on the shared description after poll(POLLOUT): the last resort, which a frontend can still wedge.</summary>
    Write,
}
