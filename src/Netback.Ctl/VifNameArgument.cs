using System.CommandLine;
using Ring.Shared.Text;

namespace Netback.Ctl;

/// <summary>
/// A vif's name on the command line, checked before anything is asked: a netdev name (1 to 15
/// characters, IFNAMSIZ - 1, none of them '/', ':', a space or a control character).
/// </summary>
internal static class VifNameArgument
{
    /// <summary>Exit code of a command line netbackctl cannot use (as <c>set</c>'s bad setting).</summary>
    public const int UsageError = 2;

    public static Argument<string> Create(string description) => new("vif") { Description = description };

    /// <summary>Null when <paramref name="name"/> can be a vif's name; otherwise why not, printable.</summary>
    public static string? Problem(string name)
    {
        if (name.Length is 0 or > 15)
        {
            return $"'{PrintableText.Escape(name)}' is not a vif name: a netdev name has 1 to 15 characters (e.g. vif1.0)";
        }
        foreach (char c in name)
        {
            if (c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return $"'{PrintableText.Escape(name)}' is not a vif name: a netdev name has no '/', ':', space or control character (e.g. vif1.0)";
            }
        }
        return null;
    }
}
