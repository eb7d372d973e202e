using System.Net.Sockets;

namespace Netback.Tests.Support;

/// <summary>
/// A client as fast as one can be: a thread that, until disposed, looks at a socket path in a tight
/// loop and connects whenever it exists, counting the connects that found a listener and those
/// refused (ECONNREFUSED: the path exists, nobody listens), and noting the file's mode at the first
/// sight. Connections are closed at once.
/// </summary>
internal sealed class SocketPathWatcher : IDisposable
{
    private readonly string _path;
    private readonly Thread _thread;
    private volatile bool _stop;
    private int _accepted;
    private int _refused;
    private int _looks;

    public SocketPathWatcher(string path)
    {
        _path = path;
        _thread = new Thread(Run) { Name = "path-watcher", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Connects that found a listener.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connects refused although the path existed: what must never happen.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>How many times the path was looked at (the loop did run).</summary>
    public int Looks => Volatile.Read(ref _looks);

    /// <summary>The permission bits of the file when first seen (null: never seen).</summary>
    public UnixFileMode? FirstMode { get; private set; }

    /// <summary>Errors other than ENOENT and ECONNREFUSED, for the failure message.</summary>
    public List<string> Other { get; } = [];

    private void Run()
    {
        while (!_stop)
        {
            Interlocked.Increment(ref _looks);
            if (!File.Exists(_path))
            {
                continue;
            }
            if (FirstMode is null)
            {
                try
                {
                    FirstMode = File.GetUnixFileMode(_path);
                }
                catch (IOException)
                {
                    continue; // gone between the two looks
                }
            }
            using var client = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
            try
            {
                client.Connect(new UnixDomainSocketEndPoint(_path));
                Interlocked.Increment(ref _accepted);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                Interlocked.Increment(ref _refused);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported
                || e.ErrorCode == 2 /* ENOENT: removed between the look and the connect */)
            {
            }
            catch (SocketException e)
            {
                lock (Other)
                {
                    Other.Add($"{e.SocketErrorCode}: {e.Message}");
                }
            }
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
