using System.CommandLine;

namespace Netfront.Cli;

/// <summary><c>netfront</c>: the frontend command line (docs/protocol.md "Command lines").</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Netback paravirtual NIC frontend (Xen netfront in userspace).")
        {
            AttachCommand.Create(),
        };
        // Signals are the relay's own business (PosixSignalRegistration), not the parser's.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return root.Parse(args).Invoke(invocation);
    }
}
