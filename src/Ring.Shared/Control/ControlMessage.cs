using System.Globalization;
using Ring.Shared.Abi;
using Ring.Shared.Text;

namespace Ring.Shared.Control;

/// <summary>
/// One control message: a type and an ordered list of xenstore-like keys and string values
/// (e.g. <c>feature-sg = 1</c>, <c>queue-0/tx-ring-ref = 0</c>).
/// </summary>
public sealed class ControlMessage
{
    private readonly List<KeyValuePair<string, string>> _entries = [];

    public ControlMessage(ControlMessageType type) => Type = type;

    public ControlMessageType Type { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Entries => _entries;

    public ControlMessage Set(string key, string value)
    {
        for (int i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Key == key)
            {
                _entries[i] = new(key, value);
                return this;
            }
        }
        _entries.Add(new(key, value));
        return this;
    }

    public ControlMessage Set(string key, long value) => Set(key, value.ToString(CultureInfo.InvariantCulture));

    public ControlMessage Set(string key, bool value) => Set(key, value ? "1" : "0");

    public string? Get(string key)
    {
        foreach (var e in _entries)
        {
            if (e.Key == key)
            {
                return e.Value;
            }
        }
        return null;
    }

    public bool Has(string key) => Get(key) is not null;

    /// <summary>A non-negative integer key within [<paramref name="min"/>, <paramref name="max"/>], or a protocol error.</summary>
    public int GetInt(string key, int min, int max, int? fallback = null)
    {
        string? s = Get(key);
        if (s is null)
        {
            return fallback ?? throw new ControlProtocolException($"missing key '{key}'");
        }
        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
        {
            throw new ControlProtocolException($"key '{key}' = '{Quote(s)}' is not an integer in {min}..{max}");
        }
        return v;
    }

    /// <summary>A boolean feature key ("0"/"1"); absent means <paramref name="fallback"/>.</summary>
    public bool GetFlag(string key, bool fallback = false) => GetInt(key, 0, 1, fallback ? 1 : 0) == 1;

    public XenbusState State
    {
        get => (XenbusState)GetInt(XenbusKeys.State, 0, 8, 0);
        set => Set(XenbusKeys.State, (int)value);
    }

    public override string ToString() =>
        $"{Type} {{ {string.Join(", ", _entries.Select(e => $"{e.Key}={e.Value}"))} }}";

    /// <summary>
    /// A peer's value as a reason quotes it: at most 64 characters, control characters escaped
    /// (<see cref="PrintableText"/>), so a reason is one printable line wherever it is shown.
    /// </summary>
    internal static string Quote(string s) => PrintableText.Escape(s.Length <= 64 ? s : s[..64] + "…");

    /// <summary><see cref="Quote"/>'s former name, kept for the callers outside the control plane.</summary>
    internal static string Truncate(string s) => Quote(s);
}
