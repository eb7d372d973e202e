using NetArchTest.Rules;
using Netback.Daemon.Interface;

namespace Netback.Tests.Architecture;

/// <summary>
/// The daemon's layers depend in one direction only (docs/architecture.md): a type may use its own
/// layer and the layers listed for it, nothing else. Checked over the compiled assembly, so the next
/// change cannot quietly add a back edge.
/// </summary>
public sealed class LayeringTests
{
    private const string Root = "Netback.Daemon.";

    /// <summary>Every daemon layer and the layers it may use. Hosting is the composition root: it may use all.</summary>
    public static readonly TheoryData<string, string[]> Layers = new()
    {
        { "Configuration", [] },
        { "Diagnostics", [] },
        { "Access", ["Configuration", "Diagnostics"] },
        { "Interface", ["Configuration", "Diagnostics"] },
        { "DataPath", ["Interface", "Configuration", "Diagnostics"] },
        { "Xenbus", ["Interface", "Access", "Configuration", "Diagnostics"] },
        { "Admin", ["Interface", "Access", "Configuration", "Diagnostics"] },
        { "Hosting", ["Xenbus", "Admin", "DataPath", "Interface", "Access", "Configuration", "Diagnostics"] },
    };

    private static readonly string[] All = ["Configuration", "Diagnostics", "Access", "Interface", "DataPath", "Xenbus", "Admin", "Hosting"];

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_layer_uses_only_the_layers_below_it(string layer, string[] allowed)
    {
        string[] forbidden = All.Where(l => l != layer && !allowed.Contains(l)).Select(l => Root + l).ToArray();
        var result = DaemonTypes().That().ResideInNamespace(Root + layer).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        Assert.NotEmpty(result.SelectedTypesForTesting);
        Assert.True(result.IsSuccessful,
            $"{layer} may use only {string.Join(", ", allowed)}; these types use more: {Failing(result)}");
    }

    [Fact]
    public void Every_layer_is_in_the_table_and_has_types()
    {
        var namespaces = DaemonTypes().GetTypes().Select(t => t.ReflectionType.Namespace).Where(n => n is not null && n.StartsWith(Root, StringComparison.Ordinal))
            .Select(n => n!.Substring(Root.Length).Split('.')[0]).Distinct().Order().ToArray();
        Assert.Equal(All.Order().ToArray(), namespaces);
    }

    [Theory]
    [InlineData("Configuration")]
    [InlineData("Diagnostics")]
    [InlineData("Access")]
    [InlineData("Interface")]
    [InlineData("DataPath")]
    public void Nothing_below_the_control_plane_talks_to_a_frontend(string layer)
    {
        // The control channel is Xenbus's: a broken vif signals its session, which tells the frontend
        // (netback's xenvif_fatal_tx_err only marks the vif and kicks a thread).
        var result = DaemonTypes().That().ResideInNamespace(Root + layer).ShouldNot().HaveDependencyOnAny("Ring.Shared.Control").GetResult();
        Assert.True(result.IsSuccessful, $"{layer} uses the control protocol: {Failing(result)}");
    }

    private static Types DaemonTypes() => Types.InAssembly(typeof(Vif).Assembly);

    private static string Failing(NetArchTest.Rules.TestResult result) => string.Join(", ", result.FailingTypes?.Select(t => t.FullName) ?? []);
}
