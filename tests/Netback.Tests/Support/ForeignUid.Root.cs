namespace Netback.Tests.Support;

/// <summary>The unit tier's guard for <see cref="ForeignUid"/> (the file the integration tier shares has no xunit in it).</summary>
internal static partial class ForeignUid
{
    /// <summary>Skips the test unless this process may take another uid.</summary>
    public static void RequireRoot() =>
        Assert.SkipUnless(Native.IsRoot, "needs root: connecting as a second uid takes setresuid (CI runs the unit tier as root)");
}
