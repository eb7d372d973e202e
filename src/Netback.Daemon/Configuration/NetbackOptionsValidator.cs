using Microsoft.Extensions.Options;
using Netback.Daemon.Access;
using Ring.Shared.Abi;

namespace Netback.Daemon.Configuration;

/// <summary>Checks every setting at start so a bad config fails with one clear line, not later.</summary>
internal sealed class NetbackOptionsValidator : IValidateOptions<NetbackOptions>
{
    public ValidateOptionsResult Validate(string? name, NetbackOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.SocketPath) || !Path.IsPathRooted(o.SocketPath))
        {
            errors.Add($"Netback:SocketPath must be an absolute path (got '{o.SocketPath}')");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(o.SocketPath) > 107)
        {
            errors.Add($"Netback:SocketPath is longer than the 107 bytes a Unix socket path may have");
        }
        if (!string.IsNullOrEmpty(o.AdminSocketPath))
        {
            if (!Path.IsPathRooted(o.AdminSocketPath) || System.Text.Encoding.UTF8.GetByteCount(o.AdminSocketPath) > 107)
            {
                errors.Add($"Netback:AdminSocketPath must be an absolute path of at most 107 bytes, or empty (got '{o.AdminSocketPath}')");
            }
            else if (o.AdminSocketPath == o.SocketPath)
            {
                errors.Add("Netback:AdminSocketPath must differ from Netback:SocketPath");
            }
        }
        if (!TryParseMode(o.SocketMode, out _))
        {
            errors.Add($"Netback:SocketMode must be octal permission bits such as 0660 (got '{o.SocketMode}')");
        }
        if (SocketGroup.IsConfigured(o.SocketGroup) && !SocketGroup.TryResolve(o.SocketGroup!, out _))
        {
            errors.Add($"Netback:SocketGroup '{o.SocketGroup}' does not exist on this machine (create it, or leave SocketGroup unset for the default '{SocketGroup.Default}')");
        }
        AccessOptionsValidator.Validate(o.Access, errors);
        if (o.MaxQueues is < 1 or > 16)
        {
            errors.Add($"Netback:MaxQueues must be 1..16 (got {o.MaxQueues})");
        }
        if (o.MaxRingPageOrder is < 0 or > NetifLimits.MaxRingPageOrder)
        {
            errors.Add($"Netback:MaxRingPageOrder must be 0..{NetifLimits.MaxRingPageOrder} (got {o.MaxRingPageOrder})");
        }
        if (o.HandshakeTimeoutSeconds is < 1 or > 300)
        {
            errors.Add($"Netback:HandshakeTimeoutSeconds must be 1..300 (got {o.HandshakeTimeoutSeconds})");
        }
        if (o.NullRxFrameSize != 0 && (!o.NullDataPath || o.NullRxFrameSize is < 60 or > Ring.Shared.Abi.NetifLimits.PageSize))
        {
            errors.Add($"Netback:NullRxFrameSize must be 0, or 60..{Ring.Shared.Abi.NetifLimits.PageSize} with Netback:NullDataPath (got {o.NullRxFrameSize})");
        }
        if (o.RxStallTimeoutMs is < 100 or > 3_600_000)
        {
            errors.Add($"Netback:RxStallTimeoutMs must be 100..3600000 (got {o.RxStallTimeoutMs})");
        }
        if (o.RxDrainTimeoutMs is < 100 or > 3_600_000)
        {
            errors.Add($"Netback:RxDrainTimeoutMs must be 100..3600000 (got {o.RxDrainTimeoutMs})");
        }
        if (o.SpuriousKickThreshold is < 0 or > 64)
        {
            errors.Add($"Netback:SpuriousKickThreshold must be 0..64 (got {o.SpuriousKickThreshold})");
        }
        if (o.SpuriousKickMaxDelayMs is < 1 or > 60_000)
        {
            errors.Add($"Netback:SpuriousKickMaxDelayMs must be 1..60000 (got {o.SpuriousKickMaxDelayMs})");
        }
        if (o.SpuriousKickLimit != 0 && (o.SpuriousKickLimit <= o.SpuriousKickThreshold || o.SpuriousKickLimit > 1_000_000))
        {
            errors.Add($"Netback:SpuriousKickLimit must be 0 (never disable) or more than Netback:SpuriousKickThreshold, at most 1000000 (got {o.SpuriousKickLimit})");
        }
        if (o.PollMicroseconds is < 0 or > 10_000)
        {
            errors.Add($"Netback:PollMicroseconds must be 0..10000 (got {o.PollMicroseconds})");
        }
        if (!ThreadModel.TryParse(o.Threads, out _, out string? threadsError))
        {
            errors.Add($"Netback:Threads: {threadsError}");
        }
        if (!PlacementPolicyNames.TryParse(o.Placement, out _))
        {
            errors.Add($"Netback:Placement must be {PlacementPolicyNames.All} (got '{o.Placement}')");
        }
        if (o.MaxVifs is < 1 or > 4096)
        {
            errors.Add($"Netback:MaxVifs must be 1..4096 (got {o.MaxVifs})");
        }
        if (!VifSpec.TryParse(o.DefaultVifSpec, out _, out string? specError))
        {
            errors.Add($"Netback:DefaultVifSpec: {specError}");
        }
        VifDeclarationsValidator.Validate(o.Vifs, errors);
        if (o.StateDirectory is null || (o.StateDirectory.Length != 0 && !Path.IsPathRooted(o.StateDirectory)))
        {
            errors.Add($"Netback:StateDirectory must be an absolute path, or empty to keep runtime declarations in memory only (got '{o.StateDirectory}')");
        }
        if (string.IsNullOrWhiteSpace(o.ScriptDirectory) || !Path.IsPathRooted(o.ScriptDirectory))
        {
            errors.Add($"Netback:ScriptDirectory must be an absolute path (got '{o.ScriptDirectory}')");
        }
        if (o.ScriptTimeoutSeconds is < 1 or > 120)
        {
            errors.Add($"Netback:ScriptTimeoutSeconds must be 1..120 (got {o.ScriptTimeoutSeconds})");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static bool TryParseMode(string? s, out int mode)
    {
        mode = 0;
        if (string.IsNullOrEmpty(s) || s.Length > 4)
        {
            return false;
        }
        foreach (char c in s)
        {
            if (c is < '0' or > '7')
            {
                return false;
            }
        }
        mode = Convert.ToInt32(s, 8);
        return mode <= 0x1FF; // 0777: no setuid/setgid/sticky bits on a socket
    }
}
