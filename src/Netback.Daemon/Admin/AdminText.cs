using System.Text;
using Ring.Shared.Control;
using Ring.Shared.Text;

namespace Netback.Daemon.Admin;

/// <summary>Text for an admin reply: printable (<see cref="PrintableText"/>) and within one value of the codec.</summary>
internal static class AdminText
{
    /// <summary>Room left under <see cref="ControlCodec.MaxValueBytes"/> for the ellipsis of a cut value.</summary>
    private const int MaxBytes = ControlCodec.MaxValueBytes - 16;

    /// <summary>
    /// <paramref name="text"/> escaped; cut with an ellipsis if escaping made it longer than a value
    /// may be (a frontend's 1 KiB value of control characters is four times that escaped).
    /// </summary>
    public static string Printable(string text)
    {
        string escaped = PrintableText.Escape(text);
        if (Encoding.UTF8.GetByteCount(escaped) <= MaxBytes)
        {
            return escaped;
        }
        int length = Math.Min(escaped.Length, MaxBytes);
        while (Encoding.UTF8.GetByteCount(escaped.AsSpan(0, length)) > MaxBytes)
        {
            length -= 16;
        }
        if (length > 0 && char.IsHighSurrogate(escaped[length - 1]))
        {
            length--;
        }
        return escaped[..length] + "…";
    }

    /// <summary>The error for a vif name that is not connected: declared (and so not live), or unknown.</summary>
    public static ControlProtocolException NotConnected(string name, bool declared) => new(declared
        ? $"vif {ControlMessage.Truncate(name)} is declared but not connected (no frontend is attached to it)"
        : $"no vif named '{ControlMessage.Truncate(name)}' is connected (netbackctl list shows the live vifs)");
}
