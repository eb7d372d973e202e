using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Netback.Tests.Support;
using Tmds.Linux;

namespace Netback.Tests.Daemon.Interface;

/// <summary>
/// The state file of runtime declarations: written whole and atomically (0600), read back equal, and
/// read strictly: a corrupt file, or one another uid could have written, stops the start with the
/// reason instead of declaring vifs for whoever wrote it.
/// </summary>
public sealed class VifStateFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netback-state-").FullName;

    private string StateDir => Path.Combine(_dir, "state");

    private string FilePath => Path.Combine(StateDir, VifStateFile.FileName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static VifDeclaration Declare(int domId, int devId, uint? uid, uint? gid, string spec)
    {
        Assert.True(VifDeclaration.TryCreate(domId, devId, uid, gid, spec, VifDeclarationSource.Runtime, out var d, out string? error), error);
        return d!;
    }

    private void WriteState(string json)
    {
        Directory.CreateDirectory(StateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(FilePath, json);
        File.SetUnixFileMode(FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private string Refused()
    {
        var e = Assert.Throws<VifStateException>(() => new VifStateFile(StateDir).Load());
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void Declarations_round_trip_and_the_file_is_0600_with_no_temp_left()
    {
        var state = new VifStateFile(StateDir);
        Assert.Empty(state.Load()); // nothing yet: neither directory nor file
        VifDeclaration[] written =
        [
            Declare(5, 0, 1000, null, "mac=00:16:3e:00:05:00,bridge=xenbr0,ip=10.0.5.2 fd00::/64,rate=10Mb/s@20ms,mtu=1400,vifname=web0"),
            Declare(5, 1, null, 27, ""),
            Declare(6, 0, 1001, 27, "offloads=off,tx-copy=bounce"),
        ];
        Directory.CreateDirectory(StateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Empty(state.Load()); // a directory, no file yet
        File.WriteAllText(FilePath + $".{Environment.ProcessId}.tmp", "a crashed write");
        state.Save(written.Reverse());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(StateDir));
        Assert.Equal([VifStateFile.FileName], Directory.GetFiles(StateDir).Select(Path.GetFileName));
        var read = new VifStateFile(StateDir).Load();
        Assert.Equal(written.Select(Describe), read.Select(Describe));
        Assert.All(read, d => Assert.Equal(VifDeclarationSource.Runtime, d.Source));
    }

    private static string Describe(VifDeclaration d) => $"{d.DomId}.{d.DevId} {d.Owner} {XenMac.Format(d.Mac)} {d.Name} [{d.Spec.Format()}]";

    [Theory]
    [InlineData("{ not json", "is not valid JSON")]
    [InlineData("[]", "is not a JSON object")]
    [InlineData("{\"version\":2,\"vifs\":[]}", "has version 2, this daemon reads version 1")]
    [InlineData("{\"version\":1}", "has no 'vifs' list")]
    [InlineData("{\"version\":1,\"vifs\":[],\"owner\":0}", "has an unknown key 'owner'")]
    [InlineData("{\"version\":1,\"vifs\":[{\"domid\":5,\"uid\":1000,\"admin\":true}]}", "entry 0 has an unknown key 'admin'")]
    [InlineData("{\"version\":1,\"vifs\":[{\"domid\":\"5\",\"uid\":1000}]}", "entry 0: 'domid' has a bad value (a string)")]
    [InlineData("{\"version\":1,\"vifs\":[{\"domid\":5,\"uid\":-1}]}", "entry 0: 'uid' has a bad value -1")]
    [InlineData("{\"version\":1,\"vifs\":[{\"domid\":5}]}", "entry 0: needs an owner")]
    [InlineData("{\"version\":1,\"vifs\":[{\"domid\":0,\"uid\":1000}]}", "entry 0: DomId must be 1..32751")]
    [InlineData("{\"version\":1,\"vifs\":[{\"domid\":5,\"uid\":1000,\"spec\":\"script=/tmp/x\"}]}", "entry 0: Spec: script '/tmp/x' is not a script name")]
    [InlineData("{\"version\":1,\"vifs\":[{\"domid\":5,\"uid\":1000},{\"domid\":5,\"uid\":0}]}", "entry 1: domid 5 devid 0 is declared already")]
    [InlineData("{\"version\":1,\"vifs\":[[[[[[1]]]]]]}", "is not valid JSON")] // deeper than any state file
    public void A_corrupt_file_is_refused_with_the_reason(string json, string reason)
    {
        WriteState(json);
        string message = Refused();
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Contains(FilePath, message, StringComparison.Ordinal);
        Assert.Contains("move it away", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_larger_than_a_megabyte_is_refused()
    {
        WriteState("{\"version\":1,\"vifs\":[]}" + new string(' ', VifStateFile.MaxBytes));
        Assert.Contains("is larger than 1048576 bytes", Refused(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_or_directory_others_can_write_is_not_trusted()
    {
        WriteState("{\"version\":1,\"vifs\":[]}");
        File.SetUnixFileMode(FilePath, (UnixFileMode)Convert.ToInt32("666", 8));
        Assert.Contains("is writable by group or others (mode 666)", Refused(), StringComparison.Ordinal);
        File.SetUnixFileMode(FilePath, (UnixFileMode)Convert.ToInt32("620", 8));
        Assert.Contains("is writable by group or others (mode 620)", Refused(), StringComparison.Ordinal);
        File.SetUnixFileMode(FilePath, (UnixFileMode)Convert.ToInt32("644", 8));
        Assert.Empty(new VifStateFile(StateDir).Load()); // readable by others is not a risk; writable is
        File.SetUnixFileMode(StateDir, (UnixFileMode)Convert.ToInt32("777", 8));
        Assert.Contains($"state directory {StateDir} is writable by group or others", Refused(), StringComparison.Ordinal);
    }

    [Fact]
    public void Symbolic_links_are_not_followed()
    {
        string elsewhere = Path.Combine(_dir, "elsewhere.json");
        File.WriteAllText(elsewhere, "{\"version\":1,\"vifs\":[{\"domid\":5,\"uid\":1000}]}");
        Directory.CreateDirectory(StateDir);
        File.CreateSymbolicLink(FilePath, elsewhere);
        Assert.Contains("is a symbolic link", Refused(), StringComparison.Ordinal);

        string linkedDir = Path.Combine(_dir, "linked");
        Directory.CreateSymbolicLink(linkedDir, StateDir);
        var e = Assert.Throws<VifStateException>(() => new VifStateFile(linkedDir).Load());
        Assert.Contains($"state directory {linkedDir} is a symbolic link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_another_uid_owns_is_not_trusted()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "giving a file to another uid needs root");
        WriteState("{\"version\":1,\"vifs\":[{\"domid\":5,\"uid\":65534}]}");
        Chown(FilePath, 65534);
        Assert.Contains("is owned by uid 65534, not this daemon's uid 0", Refused(), StringComparison.Ordinal);
    }

    [Fact]
    public void At_start_the_configuration_wins_a_clash_and_a_bad_file_stops_the_start()
    {
        new VifStateFile(StateDir).Save([Declare(5, 0, 1000, null, "vifname=web0"), Declare(6, 0, 1001, null, "")]);
        var options = new NetbackOptions { StateDirectory = StateDir };
        options.Vifs.Add(new VifDeclarationOptions { DomId = 5, Uid = 2000 });
        var logs = new CollectingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var registry = VifDirectory.Open(options, loggers.CreateLogger("test"));
        Assert.Equal(["5.0 uid 2000 vif5.0", "6.0 uid 1001 vif6.0"], registry.Declarations().Select(d => $"{d.DomId}.{d.DevId} {d.Owner} {d.Name}"));
        var dropped = Assert.Single(logs.Entries, e => e.Id.Id == 51);
        Assert.Contains("domid 5 devid 0 (uid 1000) dropped: domid 5 devid 0 is declared already", dropped.Message, StringComparison.Ordinal);

        File.WriteAllText(FilePath, "{\"version\":1,\"vifs\":[{\"domid\":7}]}");
        Assert.Throws<VifStateException>(() => VifDirectory.Open(options, loggers.CreateLogger("test")));
    }

    private static unsafe void Chown(string path, uint uid)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            Assert.Equal(0, LibC.chown(p, uid, uint.MaxValue));
        }
    }
}
