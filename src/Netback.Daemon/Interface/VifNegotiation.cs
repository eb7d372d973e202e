namespace Netback.Daemon.Interface;

/// <summary>
/// What each side wrote while the vif was negotiated, as xenstore would hold it: the backend's
/// node (its Hello, then its Connected, later keys replacing earlier ones as a later write to the
/// same xenstore path does) and the frontend's (its Connect, in the order it wrote them). Kept with
/// the vif so <c>netbackctl show</c> can print both as <c>xenstore-ls</c> would. The frontend's
/// keys are hostile text: the codec bounded them (<see cref="MaxKeys"/> entries, 64-byte keys, 1 KiB
/// values, 16 KiB in all) and they are kept as received; whoever prints one escapes it.
/// </summary>
internal sealed class VifNegotiation
{
    /// <summary>The codec's bound on a message's entries (<c>ControlCodec.MaxEntries</c>), held again here.</summary>
    public const int MaxKeys = 512;

    private VifNegotiation(KeyValuePair<string, string>[] backend, KeyValuePair<string, string>[] frontend)
    {
        Backend = backend;
        Frontend = frontend;
    }

    /// <summary>The backend's keys: Hello's, then Connected's in place of the same keys or after them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Backend { get; }

    /// <summary>The frontend's Connect, key for key.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Frontend { get; }

    /// <param name="hello">The backend's Hello as sent.</param>
    /// <param name="connected">The backend's Connected as sent.</param>
    /// <param name="connect">The frontend's Connect as received.</param>
    public static VifNegotiation From(IReadOnlyList<KeyValuePair<string, string>> hello,
        IReadOnlyList<KeyValuePair<string, string>> connected, IReadOnlyList<KeyValuePair<string, string>> connect)
    {
        var backend = new List<KeyValuePair<string, string>>(hello.Count + connected.Count);
        foreach (var entry in hello.Take(MaxKeys))
        {
            Write(backend, entry);
        }
        foreach (var entry in connected.Take(MaxKeys))
        {
            Write(backend, entry);
        }
        return new VifNegotiation([.. backend], [.. connect.Take(MaxKeys)]);
    }

    /// <summary>A write to a xenstore node: replaces the key's value where it is, or adds it at the end.</summary>
    private static void Write(List<KeyValuePair<string, string>> node, KeyValuePair<string, string> entry)
    {
        int at = node.FindIndex(e => e.Key == entry.Key);
        if (at >= 0)
        {
            node[at] = entry;
        }
        else
        {
            node.Add(entry);
        }
    }
}
