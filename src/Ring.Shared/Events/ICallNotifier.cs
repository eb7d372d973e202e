namespace Ring.Shared.Events;

/// <summary>
/// The backend's end of a call (backend → frontend): signals the frontend's call eventfd without a
/// system call on the file description the frontend shares with us, so that nothing the frontend does
/// to it (clearing O_NONBLOCK, filling the counter to 2^64-2) can make the signal block. Made by
/// <see cref="CallNotifier.Create(Interop.FileDescriptorHandle)"/>; owned by one worker thread.
/// </summary>
public interface ICallNotifier : IDisposable
{
    NotifyMechanism Mechanism { get; }

    /// <summary>Adds one to the frontend's eventfd counter (saturating at 2^64-1); never blocks. False if the kernel refused.</summary>
    bool Signal();
}
