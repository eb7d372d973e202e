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

    /// <summary>samples/UserspaceGuest: a guest with no TAP, on the async API.</summary>
    public static string UserspaceGuest => Locate("UserspaceGuest", "userspace-guest");

    /// <summary>The repository's hotplug scripts (scripts/hotplug), which the daemon installs to /etc/netback/scripts.</summary>
    public static string HotplugScripts
    {
        get
        {
            var here = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            string repo = here.Parent?.Parent?.Parent?.Parent?.FullName
                ?? throw new InvalidOperationException($"unexpected test output folder {here.FullName}");
            string path = Path.Combine(repo, "scripts", "hotplug");
            return Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"no hotplug scripts at {path}");
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
