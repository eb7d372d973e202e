namespace Netback.IntegrationTests.Support;

/// <summary>How a process that ran to completion ended, with everything it printed.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() =>
        $"`{Command}` exited {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}
