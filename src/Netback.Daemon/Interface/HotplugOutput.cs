using System.Text;
using Microsoft.Extensions.Logging;
using Ring.Shared.Text;

namespace Netback.Daemon.Interface;

/// <summary>
/// One run's stderr, line by line as it arrives: each line decoded, escaped (a script's output is
/// often a frontend's values echoed back), cut at <see cref="MaxLineChars"/> characters and logged,
/// at most <see cref="MaxLoggedLines"/> per run; the last non-blank line is kept as the reason a
/// failed run gives. Whatever the script writes, this holds at most <see cref="MaxLineBytes"/> bytes.
/// </summary>
internal sealed class HotplugOutput(ILogger logger, string vif, string script, string command)
{
    public const int MaxLineBytes = 1024;
    public const int MaxLineChars = 256;
    public const int MaxLoggedLines = 20;

    private readonly byte[] _line = new byte[MaxLineBytes];
    private int _length;
    private bool _cut;
    private int _lines;
    private int _notLogged;

    /// <summary>The last non-blank line, escaped and bounded; null if the script wrote none.</summary>
    public string? LastLine { get; private set; }

    public void Add(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b == (byte)'\n')
            {
                EndLine();
            }
            else if (_length < _line.Length)
            {
                _line[_length++] = b;
            }
            else
            {
                _cut = true;
            }
        }
    }

    /// <summary>The run is over: a last line without its newline counts, and what was not logged is said.</summary>
    public void Complete()
    {
        if (_length > 0 || _cut)
        {
            EndLine();
        }
        if (_notLogged > 0)
        {
            HotplugLog.LinesNotLogged(logger, vif, script, command, _notLogged);
        }
    }

    private void EndLine()
    {
        string text = PrintableText.Escape(Encoding.UTF8.GetString(_line, 0, _length).TrimEnd('\r')).Trim();
        bool cut = _cut || text.Length > MaxLineChars;
        if (text.Length > MaxLineChars)
        {
            text = text[..MaxLineChars];
        }
        _length = 0;
        _cut = false;
        if (text.Length == 0)
        {
            return;
        }
        LastLine = cut ? text + "…" : text;
        if (++_lines > MaxLoggedLines)
        {
            _notLogged++;
            return;
        }
        HotplugLog.Line(logger, vif, script, command, LastLine);
    }
}
