namespace Netback.Tests.Support;

/// <summary>
/// Tests that count this process's fds or measure throughput: they run alone, after the parallel
/// tests, so another test's sockets or threads cannot skew them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial";
}
