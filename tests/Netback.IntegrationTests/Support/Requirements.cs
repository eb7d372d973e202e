namespace Netback.IntegrationTests.Support;

/// <summary>
/// What this tier needs from the machine. Anything missing skips the test with the reason (counted as
/// skipped, never passed); CI runs as root with the packages installed, so there every test runs.
/// </summary>
internal static class Requirements
{
    public static void RootAndTools(bool iperf3 = false, bool ping = true)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Skip("needs root: network namespaces and TAP devices (CI runs this tier as root)");
        }
        if (!File.Exists("/dev/net/tun"))
        {
            Assert.Skip("/dev/net/tun is missing: load the tun module (modprobe tun)");
        }
        if (FindOnPath("ip") is null)
        {
            Assert.Skip("`ip` is not installed (apt-get install iproute2)");
        }
        if (ping && FindOnPath("ping") is null)
        {
            Assert.Skip("`ping` is not installed (apt-get install iputils-ping)");
        }
        if (iperf3 && FindOnPath("iperf3") is null)
        {
            Assert.Skip("`iperf3` is not installed (apt-get install iperf3)");
        }
    }

    public static string? FindOnPath(string name)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (string dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        // iproute2 lives in /usr/sbin, which a non-login root shell may not have on PATH.
        foreach (string dir in new[] { "/usr/sbin", "/sbin" })
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
