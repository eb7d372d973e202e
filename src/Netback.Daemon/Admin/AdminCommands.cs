using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Control;

namespace Netback.Daemon.Admin;

/// <summary>
/// What the admin channel can do, apart from the socket (the toolstack's <c>xl</c>): <c>list</c> the
/// live vifs with their counters; <c>set</c> a vif's <c>rate=</c> live and in its declaration (xen's
/// rate watch, <c>xen_net_rate_changed</c>); <c>vif-add</c>, <c>vif-del</c>, <c>vif-list</c> the
/// declarations (<c>network-attach</c>, <c>network-detach</c>, <c>network-list</c>); <c>show</c> a
/// live vif as <c>xenstore-ls</c> would, with its rings and workers; <c>stats</c> every queue's counters.
/// </summary>
internal sealed class AdminCommands
{
    private readonly VifRegistry _registry;
    private readonly Func<string, bool> _nameTaken;
    private readonly ILogger _logger;

    /// <param name="nameTaken">Is a netdev of that name present (a declared name must not be)?</param>
    public AdminCommands(VifRegistry registry, Func<string, bool> nameTaken, ILogger logger)
    {
        _registry = registry;
        _nameTaken = nameTaken;
        _logger = logger;
    }

    /// <summary>Answers one request of peer <paramref name="pid"/>; a <see cref="ControlProtocolException"/> becomes the Error reply.</summary>
    public ControlMessage Handle(ControlMessage request, int pid)
    {
        if (request.Type != ControlMessageType.AdminRequest)
        {
            throw new ControlProtocolException($"expected AdminRequest, got {request.Type}");
        }
        try
        {
            return request.Get(AdminKeys.Command) switch
            {
                AdminKeys.CommandList => VifCounters.List(_registry, request.GetInt(AdminKeys.First, 0, int.MaxValue, 0)),
                AdminKeys.CommandSet => Set(request, pid),
                AdminKeys.CommandVifAdd => VifAdd.Handle(request, _registry, _nameTaken, _logger, pid),
                AdminKeys.CommandVifDel => VifDel.Handle(request, _registry, _logger, pid),
                AdminKeys.CommandVifList => VifList.Handle(_registry, request.GetInt(AdminKeys.First, 0, int.MaxValue, 0)),
                AdminKeys.CommandShow => VifShow.Handle(request, _registry),
                AdminKeys.CommandStats => VifStats.Handle(request, _registry),
                var other => throw new ControlProtocolException(
                    $"unknown command '{ControlMessage.Truncate(other ?? "")}' (known: list, set, vif-add, vif-del, vif-list, show, stats)"),
            };
        }
        catch (Exception e) when (e is VifDeclarationException or VifStateException)
        {
            throw new ControlProtocolException(e.Message);
        }
    }

    /// <summary>
    /// <c>set vif=NAME rate=…</c>: a connected vif's rate changes at once; a declared vif's
    /// declaration too (connected or not), so its next Connect keeps the new rate as its ceiling.
    /// </summary>
    private ControlMessage Set(ControlMessage request, int pid)
    {
        string name = request.Get(AdminKeys.Vif) ?? throw new ControlProtocolException("set needs vif=");
        string text = request.Get(AdminKeys.Rate) ?? throw new ControlProtocolException("set needs rate= (e.g. 10Mb/s@50ms, or none)");
        RateLimit? rate = null;
        if (text != AdminKeys.RateNone && !RateLimit.TryParse(text, out rate, out string? error))
        {
            throw new ControlProtocolException($"rate '{ControlMessage.Truncate(text)}': {error}");
        }
        var vif = Array.Find(_registry.Snapshot(), v => v.Name == name);
        var declaration = vif is not null
            ? _registry.Declaration(vif.Identity.DomId, vif.Identity.Handle)
            : Array.Find(_registry.Declarations(), d => d.Name == name);
        if (vif is null && declaration is null)
        {
            throw new ControlProtocolException($"no vif named '{ControlMessage.Truncate(name)}', connected or declared");
        }
        // The declaration first: if its state file cannot be written, nothing changes.
        var declared = declaration is null ? null : _registry.SetDeclaredRate(declaration.DomId, declaration.DevId, rate);
        vif?.SetRate(rate);
        string effective = rate?.ToString() ?? AdminKeys.RateNone;
        AdminLog.RateChanged(_logger, name, effective, declared is not null, pid);
        return new ControlMessage(ControlMessageType.AdminReply)
            .Set(AdminKeys.Vif, name).Set(AdminKeys.Rate, effective).Set(AdminKeys.Declared, declared is not null);
    }
}
