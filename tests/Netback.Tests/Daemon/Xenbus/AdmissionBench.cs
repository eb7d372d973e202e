using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Netback.Daemon.Access;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Netback.Daemon.Xenbus;
using Netback.Tests.Support;
using Ring.Shared.Control;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// A <see cref="VifAdmission"/> over settings written as an operator writes them (configuration keys
/// under <c>Netback:</c>, e.g. <c>Vifs:0:DomId=5</c>), on a pretend host whose netdevs are
/// <see cref="Netdevs"/>. Peers are made up, so any uid can be played without privileges.
/// </summary>
internal sealed class AdmissionBench
{
    public static readonly PeerIdentity Root = new(4001, 0, 0, []);

    /// <summary>What <see cref="HostileFrontend.StandardConnect"/> names: the memfd and four eventfds.</summary>
    private const int StandardFdCount = 5;

    public AdmissionBench(params string[] settings)
    {
        // Later settings replace earlier ones, so a test can change one key of a shared bench.
        var pairs = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (string s in settings)
        {
            int eq = s.IndexOf('=', StringComparison.Ordinal);
            pairs[$"{NetbackOptions.Section}:{s[..eq]}"] = s[(eq + 1)..];
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(pairs).Build();
        // No state directory: these declarations live in memory only.
        Options = new NetbackOptions { DefaultVifSpec = "mtu=1500", MaxQueues = 4, StateDirectory = "" };
        configuration.GetSection(NetbackOptions.Section).Bind(Options);
        var validation = new NetbackOptionsValidator().Validate(null, Options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(NetbackOptions.Section, typeof(NetbackOptions), validation.Failures);
        }
        var loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        Assert.True(VifSpec.TryParse(Options.DefaultVifSpec, out var defaultSpec, out string? error), error);
        Registry = VifDirectory.Open(Options, loggers.CreateLogger("Netback.Interface"));
        Gate = new AccessGate(new AccessPolicy(Options.Access, socketGid: null, daemonUid: 0), loggers.CreateLogger("Netback.Access"));
        Admission = new VifAdmission(Options, defaultSpec, Registry, Gate, name => Netdevs.Contains(name));
    }

    public NetbackOptions Options { get; }

    public VifRegistry Registry { get; }

    public AccessGate Gate { get; }

    public VifAdmission Admission { get; }

    public CollectingLoggerProvider Logs { get; } = new();

    /// <summary>The pretend host's network devices (what <c>IVifTapProvider.Exists</c> answers).</summary>
    public HashSet<string> Netdevs { get; } = new(StringComparer.Ordinal) { "lo", "eth0", "xenbr0" };

    public static PeerIdentity Uid(uint uid, uint? gid = null, params uint[] groups) => new(4000 + (int)uid, uid, gid ?? uid, groups);

    /// <summary>The standard one-queue Connect, parsed as the session parses it, with these Xen keys.</summary>
    public ConnectRequest Request(string? vifSpec = null, int? domId = null, int? devId = null)
    {
        var m = HostileFrontend.StandardConnect();
        if (vifSpec is not null)
        {
            m.Set(XenbusKeys.VifSpec, vifSpec);
        }
        if (domId is { } d)
        {
            m.Set(XenbusKeys.DomId, d);
        }
        if (devId is { } h)
        {
            m.Set(XenbusKeys.Handle, h);
        }
        return ConnectRequest.Parse(m, StandardFdCount, Options);
    }

    /// <summary>Admits, and keeps the vif (its reservation and lease) until <see cref="Release"/>.</summary>
    public VifPlan Admit(PeerIdentity peer, string? vifSpec = null, int? domId = null, int? devId = null)
    {
        var (plan, lease) = Admission.Admit(Request(vifSpec, domId, devId), peer);
        _held.Add((plan, lease));
        return plan;
    }

    /// <summary>Gives a vif admitted here back, as its session does when the frontend goes.</summary>
    public void Release(VifPlan plan)
    {
        int i = _held.FindIndex(h => ReferenceEquals(h.Plan, plan));
        Admission.Release(plan.Identity, _held[i].Lease);
        _held.RemoveAt(i);
    }

    private readonly List<(VifPlan Plan, VifLease Lease)> _held = [];

    /// <summary>
    /// Asserts the Connect is refused, with nothing left held (no reservation, no lease) and, for an
    /// access refusal, exactly one Warning (event 40) carrying the same reason. Returns the reason.
    /// </summary>
    public string Refused(PeerIdentity peer, string? vifSpec = null, int? domId = null, int? devId = null)
    {
        int reserved = Registry.Count;
        int held = Gate.Held(peer.Uid);
        int warnings = RefusalWarnings().Length;
        var request = Request(vifSpec, domId, devId);
        string reason;
        try
        {
            var (plan, lease) = Admission.Admit(request, peer);
            Admission.Release(plan.Identity, lease);
            throw new Xunit.Sdk.XunitException(
                $"uid {peer.Uid} was admitted to {plan.Identity.Name} (domid {plan.Identity.DomId}, mac {XenMac.Format(plan.Mac)}, " +
                $"bridge {plan.Bridge ?? "none"}, mtu {plan.Mtu}, rate {plan.Rate?.ToString() ?? "none"}, ip {string.Join(' ', plan.Ips)}) " +
                $"with vifspec '{vifSpec}' domid {domId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
        }
        catch (AccessRefusedException e)
        {
            reason = e.Message;
            var now = RefusalWarnings();
            Assert.Equal(warnings + 1, now.Length);
            Assert.Contains(reason, now[^1], StringComparison.Ordinal);
        }
        catch (VifSetupException e)
        {
            reason = e.Message;
        }
        Assert.Equal(reserved, Registry.Count);
        Assert.Equal(held, Gate.Held(peer.Uid));
        Assert.DoesNotContain('\n', reason);
        return reason;
    }

    public string[] RefusalWarnings() =>
        Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Id.Id == 40).Select(e => e.Message).ToArray();
}
