namespace Netback.Daemon.Access;

/// <summary>
/// Shell-style globs for MACs and interface names: <c>*</c> matches any run of characters,
/// <c>?</c> exactly one, everything else itself. No classes or escapes: neither MACs nor interface
/// names need them, and a smaller language is easier to audit.
/// </summary>
internal static class Glob
{
    public static bool IsMatch(string pattern, string text, bool ignoreCase = false)
    {
        // Greedy matching with one backtrack point (the last '*'): linear in practice, no recursion.
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], text[t], ignoreCase)))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));
}
