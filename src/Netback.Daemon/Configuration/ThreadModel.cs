using System.Globalization;

namespace Netback.Daemon.Configuration;

/// <summary>
/// <c>Netback:Threads</c>: which threads serve the vifs' queues. A daemon option, never negotiated:
/// a frontend cannot see or choose it (the frontend's own threads are its business).
/// </summary>
internal readonly record struct ThreadModel(ThreadModelKind Kind, int PoolSize)
{
    public const string PerQueueKey = "per-queue";
    public const string SplitKey = "split";
    public const string PoolPrefix = "pool:";

    /// <summary>Most workers a pool may have: beyond, the pool is per-queue with extra steps.</summary>
    public const int MaxPoolSize = 64;

    public static ThreadModel PerQueue => new(ThreadModelKind.PerQueue, 0);

    public static ThreadModel Split => new(ThreadModelKind.Split, 0);

    public static ThreadModel Pool(int size) => new(ThreadModelKind.Pool, size);

    /// <summary>Parses a value of <c>Netback:Threads</c>; the error names the allowed values.</summary>
    public static bool TryParse(string? s, out ThreadModel model, out string? error)
    {
        model = PerQueue;
        error = null;
        switch (s)
        {
            case PerQueueKey:
                return true;
            case SplitKey:
                model = Split;
                return true;
        }
        if (s is not null && s.StartsWith(PoolPrefix, StringComparison.Ordinal))
        {
            string n = s[PoolPrefix.Length..];
            if (n.Length is > 0 and <= 2 && n.All(char.IsAsciiDigit)
                && int.Parse(n, NumberStyles.None, CultureInfo.InvariantCulture) is var size and >= 1 and <= MaxPoolSize)
            {
                model = Pool(size);
                return true;
            }
        }
        error = $"must be '{PerQueueKey}', '{SplitKey}' or '{PoolPrefix}N' with N 1..{MaxPoolSize} (got '{s}')";
        return false;
    }

    /// <summary>Parses a value the validator has accepted.</summary>
    public static ThreadModel Parse(string? s) =>
        TryParse(s, out var model, out string? error) ? model : throw new ArgumentException($"Netback:Threads {error}", nameof(s));

    public override string ToString() => Kind switch
    {
        ThreadModelKind.Pool => string.Create(CultureInfo.InvariantCulture, $"{PoolPrefix}{PoolSize}"),
        ThreadModelKind.Split => SplitKey,
        _ => PerQueueKey,
    };
}
