using System.ComponentModel;
using Ring.Shared.Interop;

namespace Ring.Shared.Events;

/// <summary>
/// Makes the backend's call notifiers with the best mechanism this host allows, chosen once per
/// process: io_uring (<see cref="IoUringNotifier"/>), else Linux AIO (<see cref="AioNotifier"/>), else
/// write(2) (<see cref="WriteNotifier"/>, which a hostile frontend can wedge). io_uring is refused
/// where kernel.io_uring_disabled is 2 (or 1 without CAP_SYS_ADMIN or io_uring_group), and by many
/// seccomp profiles; NETBACK_CALL_NOTIFY=io_uring|aio|write forces a choice.
/// </summary>
public static class CallNotifier
{
    public const string OverrideVariable = "NETBACK_CALL_NOTIFY";

    private static readonly Lazy<(NotifyMechanism Mechanism, string Why)> Choice = new(Probe);

    /// <summary>What <see cref="Create(FileDescriptorHandle)"/> uses.</summary>
    public static NotifyMechanism Preferred => Choice.Value.Mechanism;

    /// <summary>Why <see cref="Preferred"/> is what it is (for the daemon's start-up line).</summary>
    public static string PreferredReason => Choice.Value.Why;

    public static ICallNotifier Create(FileDescriptorHandle eventfd) => Create(eventfd, Preferred);

    public static ICallNotifier Create(FileDescriptorHandle eventfd, NotifyMechanism mechanism) => mechanism switch
    {
        NotifyMechanism.IoUring => new IoUringNotifier(eventfd),
        NotifyMechanism.Aio => new AioNotifier(eventfd),
        _ => new WriteNotifier(eventfd),
    };

    /// <summary>The name NETBACK_CALL_NOTIFY takes for <paramref name="mechanism"/>.</summary>
    public static string Name(NotifyMechanism mechanism) => mechanism switch
    {
        NotifyMechanism.IoUring => "io_uring",
        NotifyMechanism.Aio => "aio",
        _ => "write",
    };

    private static (NotifyMechanism, string) Probe()
    {
        string? forced = Environment.GetEnvironmentVariable(OverrideVariable);
        foreach (var m in new[] { NotifyMechanism.IoUring, NotifyMechanism.Aio, NotifyMechanism.Write })
        {
            if (string.Equals(forced, Name(m), StringComparison.Ordinal))
            {
                return (m, $"{OverrideVariable}={forced}");
            }
        }
        using var probe = EventChannel.Create();
        string? uring = Try(NotifyMechanism.IoUring, probe.Handle);
        if (uring is null)
        {
            return (NotifyMechanism.IoUring, "io_uring is available");
        }
        uring += IoUringDisabled();
        string? aio = Try(NotifyMechanism.Aio, probe.Handle);
        return aio is null
            ? (NotifyMechanism.Aio, $"io_uring is not available ({uring})")
            : (NotifyMechanism.Write, $"io_uring is not available ({uring}), nor Linux AIO ({aio})");
    }

    /// <summary>Makes and uses one notifier; null when it worked, else what failed.</summary>
    private static string? Try(NotifyMechanism mechanism, FileDescriptorHandle eventfd)
    {
        try
        {
            using var notifier = Create(eventfd, mechanism);
            return notifier.Signal() ? null : "the first signal failed";
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return e.Message;
        }
    }

    private static string IoUringDisabled()
    {
        try
        {
            return $"; kernel.io_uring_disabled = {File.ReadAllText("/proc/sys/kernel/io_uring_disabled").Trim()}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
