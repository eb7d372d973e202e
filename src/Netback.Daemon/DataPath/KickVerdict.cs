namespace Netback.Daemon.DataPath;

/// <summary>What <see cref="KickThrottle.OnKick"/> made of a kick.</summary>
internal enum KickVerdict
{
    /// <summary>The frontend published something since its previous kick: the spurious count starts again.</summary>
    Work,

    /// <summary>It announced nothing, but within the threshold: the channel stays unmasked.</summary>
    Spurious,

    /// <summary>It announced nothing, past the threshold: mask the channel for the delay.</summary>
    Mask,

    /// <summary>The storm went on for the limit: disable the vif.</summary>
    Storm,
}
