namespace Netback.Daemon.Hosting;

/// <summary>
/// How long the xenbus loop stops accepting after accept() failed for want of a resource (EMFILE,
/// ENFILE, ENOBUFS): the pending connection stays in the backlog and keeps the listener readable,
/// so accepting again at once would spin. 100 ms, doubling to 2 s while failures go on; back to
/// 100 ms after an accept succeeds.
/// </summary>
internal sealed class AcceptPause
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(2);
    private TimeSpan _next = First;

    public TimeSpan Next()
    {
        var pause = _next;
        _next = _next * 2 < Longest ? _next * 2 : Longest;
        return pause;
    }

    public void Reset() => _next = First;
}
