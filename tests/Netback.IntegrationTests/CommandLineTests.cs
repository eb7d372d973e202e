using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// netbackd --help and --version: printed, exit 0, nothing started; netfront attach refusing a bad
/// option value before it connects (no root needed).
/// </summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--help", "Usage: netbackd")]
    [InlineData("--version", "netbackd ")]
    public async Task Netbackd_prints_and_exits_0_without_starting(string option, string expected)
    {
        string dir = Directory.CreateTempSubdirectory("netback-cli-").FullName;
        try
        {
            string socket = Path.Combine(dir, "never.sock");
            ProcessResult r = await ChildProcess.RunAsync(Binaries.Netbackd, ["--socket", socket, option],
                TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains(expected, r.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Listening", r.Stdout, StringComparison.Ordinal);
            Assert.False(File.Exists(socket), "the daemon started and bound its socket");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("Half")]
    [InlineData("")]
    public async Task Netfront_refuses_a_bad_tx_completion_naming_the_option_and_its_values(string value)
    {
        ProcessResult r = await ChildProcess.RunAsync(Binaries.Netfront,
            ["attach", "--socket", "/nonexistent/netback.sock", "--tx-completion", value],
            TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.True(r.ExitCode != 0, r.ToString());
        string said = r.Stderr + r.Stdout;
        Assert.Contains("--tx-completion", said, StringComparison.Ordinal);
        Assert.Contains("'half'", said, StringComparison.Ordinal);
        Assert.Contains("'per-packet'", said, StringComparison.Ordinal);
        Assert.DoesNotContain("/nonexistent", r.Stderr, StringComparison.Ordinal); // refused before connecting
    }
}
