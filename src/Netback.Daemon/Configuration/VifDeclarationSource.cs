namespace Netback.Daemon.Configuration;

/// <summary>Where a vif declaration comes from, and so where it lives.</summary>
internal enum VifDeclarationSource
{
    /// <summary><c>Netback:Vifs</c>: read at start; changed by editing the configuration.</summary>
    Configuration,

    /// <summary><c>netbackctl vif-add</c>: kept in the state file across restarts until <c>vif-del</c>.</summary>
    Runtime,
}
