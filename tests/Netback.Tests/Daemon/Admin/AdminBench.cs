using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Netback.Daemon.Configuration;
using Netback.Daemon.Hosting;
using Netback.Tests.Support;
using Ring.Shared.Control;

namespace Netback.Tests.Daemon.Admin;

/// <summary>
/// An in-process backend with its admin socket, as netbackctl reaches it: requests are sent with
/// the wire's own key names. Root only (the admin socket serves uid 0): tests skip otherwise.
/// </summary>
internal sealed class AdminBench : IAsyncDisposable
{
    private readonly AdminListener _admin;

    private AdminBench(InProcessBackend backend)
    {
        Backend = backend;
        _admin = new AdminListener(Options.Create(backend.Options), backend.Registry, NullLogger<AdminListener>.Instance);
        _admin.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public InProcessBackend Backend { get; }

    public static AdminBench Start(Action<NetbackOptions>? configure = null)
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "the admin socket serves root only");
        return new AdminBench(new InProcessBackend(configure));
    }

    /// <summary>One request, its reply (AdminReply or Error).</summary>
    public ControlMessage Request(params string[] entries)
    {
        using var channel = ControlChannel.Connect(Backend.Options.AdminSocketPath);
        var m = new ControlMessage(ControlMessageType.AdminRequest);
        foreach (string e in entries)
        {
            int eq = e.IndexOf('=', StringComparison.Ordinal);
            m.Set(e[..eq], e[(eq + 1)..]);
        }
        channel.Send(m);
        using var reply = channel.Receive(TimeSpan.FromSeconds(10));
        return reply.Message;
    }

    /// <summary>A request that must succeed.</summary>
    public ControlMessage Ok(params string[] entries)
    {
        var reply = Request(entries);
        Assert.True(reply.Type == ControlMessageType.AdminReply, $"{string.Join(' ', entries)}: {reply.Get(XenbusKeys.Reason) ?? reply.ToString()}");
        return reply;
    }

    /// <summary>A request that must be refused; its reason.</summary>
    public string Refused(params string[] entries)
    {
        var reply = Request(entries);
        Assert.True(reply.Type == ControlMessageType.Error, $"{string.Join(' ', entries)} was accepted: {reply}");
        return reply.Get(XenbusKeys.Reason) ?? "";
    }

    public async ValueTask DisposeAsync()
    {
        await _admin.StopAsync(CancellationToken.None);
        _admin.Dispose();
        await Backend.DisposeAsync();
    }
}
