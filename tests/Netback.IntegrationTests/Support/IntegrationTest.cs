namespace Netback.IntegrationTests.Support;

/// <summary>
/// Base of every test in this tier: owns the test's <see cref="Testbed"/> and tears it down after the
/// test, when xunit knows the outcome, so a failed test's daemon and frontend output lands in its output.
/// </summary>
public abstract class IntegrationTest(ITestOutputHelper output) : IAsyncDisposable
{
    /// <summary>Per test: every step has its own shorter timeout; this only stops a hang from stalling the run.</summary>
    public const int TimeoutMs = 90_000;

    private Testbed? _bed;

    protected ITestOutputHelper Output { get; } = output;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Skips when the machine cannot run the tier; otherwise namespaces, temp dir and subnets for this test.</summary>
    internal async Task<Testbed> CreateTestbedAsync(int guests = 1, bool iperf3 = false)
    {
        Assert.Null(_bed);
        _bed = await Testbed.CreateAsync(Output, Ct, guests, iperf3);
        return _bed;
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_bed is not null)
        {
            await _bed.DisposeAsync();
        }
    }
}
