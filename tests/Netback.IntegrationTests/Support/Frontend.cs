namespace Netback.IntegrationTests.Support;

/// <summary>A running <c>netfront attach</c>, the vif the daemon gave it and its <c>attached …</c> line.</summary>
internal sealed record Frontend(ChildProcess Process, string Vif, string AttachedLine)
{
    /// <summary>The value after <paramref name="key"/> in the attached line ("queues 2" → "2").</summary>
    public string? Negotiated(string key)
    {
        string[] words = AttachedLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int i = Array.IndexOf(words, key);
        return i >= 0 && i + 1 < words.Length ? words[i + 1] : null;
    }
}
