using Netback.Daemon.Configuration;

namespace Netback.Tests.Daemon.Configuration;

/// <summary>The admin socket and anti-spoofing settings.</summary>
public sealed class AdminOptionsValidatorTests
{
    private static string[] Failures(Action<NetbackOptions> configure)
    {
        var o = new NetbackOptions();
        configure(o);
        var result = new NetbackOptionsValidator().Validate(null, o);
        return result.Failed ? result.Failures!.ToArray() : [];
    }

    [Fact]
    public void Defaults_are_anti_spoofing_on_and_the_admin_socket_in_run_netback()
    {
        var o = new NetbackOptions();
        Assert.True(o.AntiSpoofing);
        Assert.Equal("/run/netback/admin.sock", o.AdminSocketPath);
        Assert.Empty(Failures(_ => { }));
        Assert.Empty(Failures(x => x.AdminSocketPath = "")); // disabled
    }

    [Theory]
    [InlineData("admin.sock", "absolute path")]
    [InlineData("/run/netback/netback.sock", "must differ")]
    public void Bad_admin_socket_paths_fail(string path, string part) =>
        Assert.Contains(part, Assert.Single(Failures(o => o.AdminSocketPath = path)), StringComparison.Ordinal);
}
