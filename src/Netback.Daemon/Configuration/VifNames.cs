namespace Netback.Daemon.Configuration;

/// <summary>
/// The netdev names of vifs: <c>vif&lt;domid&gt;.&lt;devid&gt;</c> (Xen's), or a name the operator
/// gives with <c>vifname=</c>. Names of the generated form belong to the vif of those ids only, so no
/// vif can ever be named like another.
/// </summary>
internal static class VifNames
{
    public static string Generated(int domId, int devId) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"vif{domId}.{devId}");

    /// <summary>Is <paramref name="name"/> of the form <c>vif&lt;digits&gt;.&lt;digits&gt;</c> without being (domid, devid)'s own?</summary>
    public static bool IsAnotherVifsName(string name, int domId, int devId) =>
        HasGeneratedForm(name) && name != Generated(domId, devId);

    /// <summary>Is <paramref name="name"/> of the form <c>vif&lt;digits&gt;.&lt;digits&gt;</c>?</summary>
    public static bool HasGeneratedForm(string name)
    {
        if (!name.StartsWith("vif", StringComparison.Ordinal))
        {
            return false;
        }
        int dot = name.IndexOf('.', 3);
        return dot > 3 && dot < name.Length - 1 && AllDigits(name.AsSpan(3, dot - 3)) && AllDigits(name.AsSpan(dot + 1));
    }

    private static bool AllDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
