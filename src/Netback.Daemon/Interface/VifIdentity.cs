namespace Netback.Daemon.Interface;

/// <summary>The (domid, handle) pair and netdev name of a vif, unique while it lives.</summary>
internal sealed record VifIdentity(int DomId, int Handle, string Name);
