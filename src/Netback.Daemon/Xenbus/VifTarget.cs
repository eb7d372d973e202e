using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;

namespace Netback.Daemon.Xenbus;

/// <summary>The vif a Connect was given, reserved: its identity, and the declaration it came from (null: declared on the fly).</summary>
internal sealed record VifTarget(VifIdentity Identity, VifDeclaration? Declaration);
