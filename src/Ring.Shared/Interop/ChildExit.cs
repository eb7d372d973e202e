using System.Globalization;

namespace Ring.Shared.Interop;

/// <summary>How a child ended: an exit status, a signal, or (its status taken by someone else) unknown.</summary>
internal readonly record struct ChildExit(int? ExitCode, int? Signal)
{
    public static ChildExit Unknown => default;

    public bool Succeeded => ExitCode == 0;

    public override string ToString() =>
        ExitCode is { } code ? string.Create(CultureInfo.InvariantCulture, $"exit status {code}")
        : Signal is { } signal ? string.Create(CultureInfo.InvariantCulture, $"killed by signal {signal}")
        : "exit status unknown";
}
