using System.Net;

namespace Netback.Daemon.Configuration;

/// <summary>
/// Section <c>Netback:Metrics</c>: the opt-in Prometheus scrape endpoint that exports
/// <c>Meter("Netback")</c>. Off unless <see cref="Prometheus"/> names an address; a loopback address
/// unless <see cref="AllowRemote"/> says otherwise (the endpoint has no authentication, and its
/// labels name every vif). Validated at start.
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "Netback:Metrics";

    /// <summary><c>127.0.0.1:9108</c>, <c>[::1]:9108</c> or <c>localhost:9108</c>: where <c>/metrics</c> is served; empty: no endpoint.</summary>
    public string Prometheus { get; set; } = "";

    /// <summary>Allow a <see cref="Prometheus"/> address that is not loopback (a host's own address, or 0.0.0.0).</summary>
    public bool AllowRemote { get; set; }

    /// <summary>
    /// Parses <paramref name="text"/> (an IP literal or <c>localhost</c>, and a port 1..65535) into the
    /// address to serve on, judged against <paramref name="allowRemote"/>; false with the reason otherwise.
    /// </summary>
    public static bool TryParseEndpoint(string text, bool allowRemote, out IPEndPoint? endpoint, out string? error)
    {
        endpoint = null;
        error = null;
        string candidate = text.StartsWith("localhost:", StringComparison.Ordinal) ? "127.0.0.1" + text["localhost".Length..] : text;
        // Without a port IPEndPoint gives port 0, and "::1:9108" is an IPv6 address without one: both refused.
        if (!IPEndPoint.TryParse(candidate, out var parsed) || parsed.Port == 0)
        {
            error = $"Netback:Metrics:Prometheus must be ADDRESS:PORT, an IP literal or localhost and a port of 1..65535, "
                + $"such as 127.0.0.1:9108 or [::1]:9108 (got '{text}')";
            return false;
        }
        if (!IPAddress.IsLoopback(parsed.Address) && !allowRemote)
        {
            error = $"Netback:Metrics:Prometheus {text} is not a loopback address: the scrape endpoint has no authentication and "
                + "its labels name every vif, so set Netback:Metrics:AllowRemote=true to serve it beyond this host (firewalled), "
                + "or keep 127.0.0.1 and scrape through a proxy";
            return false;
        }
        endpoint = parsed;
        return true;
    }
}
