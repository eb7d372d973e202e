using System.Globalization;
using System.Text;

namespace Ring.Shared.Text;

/// <summary>
/// A peer's text made safe to print as part of one line: every control character (C0, DEL, C1), the
/// Unicode line and paragraph separators and the bidirectional overrides become visible escapes
/// (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\x1b</c>, <c>\u2028</c>). Under systemd one line is one
/// journal entry and a line starting <c>&lt;N&gt;</c> sets its priority, so a newline in a
/// frontend's value would forge an entry; ESC would drive the operator's terminal.
/// <para>
/// Backslashes are left alone, so escaping is idempotent: the daemon escapes where it builds a
/// reason and again where a line is written, and text escaped once is never escaped twice. The
/// price is that a frontend can write a literal <c>\n</c> that reads like an escaped newline; it
/// is still on the one line, which is what matters.
/// </para>
/// </summary>
public static class PrintableText
{
    public static string Escape(string text)
    {
        int first = IndexOfUnprintable(text);
        if (first < 0)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!IsUnprintable(c))
            {
                sb.Append(c);
                continue;
            }
            switch (c)
            {
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    sb.Append(c <= '\u00ff'
                        ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}")
                        : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"));
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>True when <paramref name="text"/> would print as it is.</summary>
    public static bool IsPrintable(string text) => IndexOfUnprintable(text) < 0;

    private static int IndexOfUnprintable(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsUnprintable(text[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Controls, U+2028/U+2029 (line breaks to some readers) and the bidi embeddings, overrides and isolates.</summary>
    private static bool IsUnprintable(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');
}
