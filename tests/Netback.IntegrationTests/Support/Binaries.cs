namespace Netback.IntegrationTests.Support;

/// <summary>
/// The apphosts under test. This assembly runs from artifacts/bin/Netback.IntegrationTests/&lt;config&gt;/;
/// the project references build netbackd and netfront into artifacts/bin/&lt;Project&gt;/&lt;config&gt;/.
/// </summary>
internal static class Binaries
{
    public static string Netbackd => Locate("Netback.Daemon", "netbackd");

    public static string Netfront => Locate("Netfront.Cli", "netfront");

    public static string Netbackctl => Locate("Netback.Ctl", "netbackctl");

    /// <summary>
    /// netbackd published Native AOT (<c>dotnet publish src/Netback.Daemon -c Release -p:NetbackAot=true</c>,
    /// which scripts/test.sh runs when clang is installed), as the systemd install publishes it; null
    /// when it was not published.
    /// </summary>
    public static string? NetbackdAot
    {
        get
        {
            string path = Path.Combine(Repository, "artifacts", "publish", "Netback.Daemon", "release_linux-x64_aot", "netbackd");
            return File.Exists(path) ? path : null;
        }
    }

    /// <summary>samples/UserspaceGuest: a guest with no TAP, on the async API.</summary>
    public static string UserspaceGuest => Locate("UserspaceGuest", "userspace-guest");

    /// <summary>The repository's hotplug scripts (scripts/hotplug), which the daemon installs to /etc/netback/scripts.</summary>
    public static string HotplugScripts
    {
        get
        {
            string path = Path.Combine(Repository, "scripts", "hotplug");
            return Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"no hotplug scripts at {path}");
        }
    }

    /// <summary>The checkout: this assembly runs from &lt;repo&gt;/artifacts/bin/Netback.IntegrationTests/&lt;config&gt;/.</summary>
    private static string Repository
    {
        get
        {
            var here = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            return here.Parent?.Parent?.Parent?.Parent?.FullName
                ?? throw new InvalidOperationException($"unexpected test output folder {here.FullName}");
        }
    }

    private static string Locate(string project, string apphost)
    {
        var here = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        string config = here.Name; // e.g. debug_linux-x64
        string bin = here.Parent?.Parent?.FullName
            ?? throw new InvalidOperationException($"unexpected test output folder {here.FullName}");
        string path = Path.Combine(bin, project, config, apphost);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"{apphost} not found at {path}: build the solution (this project references {project} for build order)", path);
    }
}
