using System.Net;

namespace Netback.Daemon.Access;

/// <summary>
/// The values of a vif the access policy judges against the uid's rule; null: not judged. On a
/// self-service vif every final value is judged (generated ones too); on a declared vif only what
/// the frontend set, the rest being the operator's.
/// </summary>
internal sealed record VifChoices(string? Name = null, string? Mac = null, string? Bridge = null,
    IReadOnlyList<IPNetwork>? Ips = null, int? Mtu = null);
