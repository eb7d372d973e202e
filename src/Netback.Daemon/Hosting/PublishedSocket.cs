using System.Net.Sockets;

namespace Netback.Daemon.Hosting;

/// <summary>A listening socket this daemon put at <see cref="Path"/> (<see cref="SocketPublisher"/>).</summary>
internal sealed class PublishedSocket(Socket socket, string path, SocketFileStat? published)
{
    public Socket Socket { get; } = socket;

    public string Path { get; } = path;

    /// <summary>
    /// Removes the socket file at stop (before the listener closes, so the path never names a socket
    /// that refuses), if it is still the one published here: a socket another daemon put there after
    /// ours was removed or replaced by hand must stay.
    /// </summary>
    public void RemoveIfOurs()
    {
        if (published is { } ours && SocketFile.TryStat(Path) is { } now && now.SameFile(ours))
        {
            File.Delete(Path);
        }
    }
}
