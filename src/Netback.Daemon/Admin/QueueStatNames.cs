using System.Text;
using Netback.Daemon.Diagnostics;
using Ring.Shared.Control;

namespace Netback.Daemon.Admin;

/// <summary>
/// A queue's counters as the admin channel names them (<c>show</c>'s <c>queue-N/stats/…</c>,
/// <c>stats</c>' <c>q-N/…</c>): the Meter's instrument names without <c>netback.</c>, dots as dashes,
/// and every drop under <c>drops/</c> by reason, each dropped frame counted once (a spoofed frame
/// by its anti-spoofing reason, not again as <c>tx-spoofed</c>).
/// </summary>
internal static class QueueStatNames
{
    private static readonly string[] TxDrops = Names<TxDropReason>((int)TxDropReason.Count, "tx-");
    private static readonly string[] SpoofDrops = Names<SpoofDropReason>((int)SpoofDropReason.Count, "spoofed-");

    /// <summary>Hands each counter of <paramref name="c"/> to <paramref name="write"/>, name and value (tear-free reads of the worker's fields).</summary>
    public static void Each(QueueCounters c, Action<string, long> write)
    {
        write(AdminKeys.TxPackets, c.TxPackets);
        write(AdminKeys.TxBytes, c.TxBytes);
        write(AdminKeys.RxPackets, c.RxPackets);
        write(AdminKeys.RxBytes, c.RxBytes);
        write("tx-gso", c.TxGsoFrames);
        write("tx-csum-blank", c.TxCsumBlankFrames);
        write("tx-maps", c.TxMaps);
        write("tx-unmaps", c.TxUnmaps);
        write("rx-gso", c.RxGsoFrames);
        write("rx-csum-blank", c.RxCsumBlankFrames);
        write(AdminKeys.NotificationsSent, c.NotificationsSent);
        write(AdminKeys.NotificationsReceived, c.NotificationsReceived);
        write("notifications-failed", c.NotificationsFailed);
        write(AdminKeys.Wakeups, c.Wakeups);
        write(AdminKeys.WakeupsSpurious, c.SpuriousKicks);
        write("kicks-delayed-ms", c.KickDelayMs);
        write("rx-no-buffers", c.RxNoBuffers);
        write("rx-stalls", c.RxStalls);
        write("tx-rate-limited", c.TxRateLimited);
        write("worker-allocated-bytes", c.WorkerAllocatedBytes);
        for (int r = 0; r < TxDrops.Length; r++)
        {
            if (r != (int)TxDropReason.Spoofed)
            {
                write(TxDrops[r], c.TxDrops[r]);
            }
        }
        for (int r = 1; r < SpoofDrops.Length; r++)
        {
            write(SpoofDrops[r], c.SpoofDrops[r]);
        }
        write(AdminKeys.DropsPrefix + "rx-offload", c.RxOffloadDrops);
        write(AdminKeys.DropsPrefix + "rx-stall", c.RxStallDrops);
        write(AdminKeys.DropsPrefix + "rx-error", c.RxErrors);
    }

    /// <summary><c>drops/tx-too-many-slots</c> for <c>TooManySlots</c>: each enum name in kebab case.</summary>
    private static string[] Names<T>(int count, string prefix) where T : struct, Enum
    {
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = AdminKeys.DropsPrefix + prefix + Kebab(Enum.GetName(typeof(T), i) ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return names;
    }

    internal static string Kebab(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c) && i > 0 && !char.IsUpper(pascal[i - 1]))
            {
                sb.Append('-');
            }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
