using System.Globalization;
using System.Security.Cryptography;

namespace Netback.IntegrationTests.Support;

/// <summary>
/// A system user made for one test (<c>useradd -r</c>, a unique name, no home, no login shell, its own
/// group), removed by the testbed once the processes that may run as it have stopped, whatever the
/// test's outcome (userdel refuses a user that still runs something).
/// </summary>
internal sealed class SystemUser
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(20);

    private SystemUser(string name, uint uid, uint gid)
    {
        Name = name;
        Uid = uid;
        Gid = gid;
    }

    public string Name { get; }

    public uint Uid { get; }

    public uint Gid { get; }

    public string UidText => Uid.ToString(CultureInfo.InvariantCulture);

    public string GidText => Gid.ToString(CultureInfo.InvariantCulture);

    public static async Task<SystemUser> CreateAsync(Testbed bed, CancellationToken ct)
    {
        foreach (string tool in new[] { "useradd", "userdel", "setpriv", "unshare", "mknod" })
        {
            if (Requirements.FindOnPath(tool) is null)
            {
                Assert.Skip($"`{tool}` is not installed (passwd, util-linux)");
            }
        }
        string name = $"nbtest-{RandomNumberGenerator.GetHexString(6, lowercase: true)}";
        await RunCheckedAsync(Requirements.FindOnPath("useradd")!, ["--system", "--user-group", "--no-create-home",
            "--shell", "/usr/sbin/nologin", "--comment", "netback integration test (removed by the test)", name], ct);
        try
        {
            uint uid = uint.Parse((await RunCheckedAsync("id", ["-u", name], ct)).Stdout.Trim(), CultureInfo.InvariantCulture);
            uint gid = uint.Parse((await RunCheckedAsync("id", ["-g", name], ct)).Stdout.Trim(), CultureInfo.InvariantCulture);
            bed.Defer(() => RemoveAsync(name));
            return new SystemUser(name, uid, gid);
        }
        catch
        {
            await RemoveAsync(name);
            throw;
        }
    }

    /// <summary>
    /// A command that runs <paramref name="program"/> as this user, without supplementary groups, with
    /// CAP_NET_ADMIN only (ambient, so it survives the exec: what a guest's netfront needs for its TAP).
    /// Hosts differ in who may open /dev/net/tun (0666 on Debian, 0600 on some): the user gets a 0666
    /// node of its own in a private mount namespace, so the host's stays as it is and the test checks
    /// netback's policy, not the host's. Every step execs the next: the pid is the program's.
    /// </summary>
    public string[] AsUser(params string[] program) =>
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", TunNodeScript, "sh",
         Requirements.FindOnPath("setpriv")!, "--reuid", UidText, "--regid", GidText, "--clear-groups",
         "--inh-caps", "+net_admin", "--ambient-caps", "+net_admin", "--", .. program];

    private const string TunNodeScript =
        "mount -t tmpfs -o mode=0755,size=64k netback-test /dev/net && mknod -m 0666 /dev/net/tun c 10 200 && exec \"$@\"";

    /// <summary>Removes the user and its group; throws (a teardown problem) if either is left.</summary>
    private static async ValueTask RemoveAsync(string name)
    {
        ProcessResult user = await ChildProcess.RunAsync(Requirements.FindOnPath("userdel") ?? "userdel", [name], ToolTimeout, CancellationToken.None);
        ProcessResult group = await ChildProcess.RunAsync("getent", ["group", name], ToolTimeout, CancellationToken.None);
        if (group.ExitCode == 0)
        {
            await ChildProcess.RunAsync(Requirements.FindOnPath("groupdel") ?? "groupdel", [name], ToolTimeout, CancellationToken.None);
        }
        if ((await ChildProcess.RunAsync("getent", ["passwd", name], ToolTimeout, CancellationToken.None)).ExitCode == 0)
        {
            throw new InvalidOperationException($"user {name} is left behind: {user}");
        }
    }

    private static async Task<ProcessResult> RunCheckedAsync(string program, string[] arguments, CancellationToken ct)
    {
        ProcessResult r = await ChildProcess.RunAsync(program, arguments, ToolTimeout, ct);
        return r.ExitCode == 0 ? r : throw new InvalidOperationException(r.ToString());
    }
}
