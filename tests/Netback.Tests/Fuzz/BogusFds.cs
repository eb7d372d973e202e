using System.Net.Sockets;
using Ring.Shared.Interop;
using Ring.Shared.Memory;
using Netback.Tests.Support;

namespace Netback.Tests.Fuzz;

/// <summary>
/// Descriptors of every wrong kind a hostile frontend can pass in place of the grant area or an
/// eventfd. Made once per fuzzer and sent again and again: SCM_RIGHTS gives the backend its own
/// copy each time, and the fd baseline at the end shows whether it closed every one.
/// </summary>
internal sealed class BogusFds : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly string _file;

    public BogusFds()
    {
        var (read, write) = Native.Pipe();
        _owned.Add(write);
        _file = Path.GetTempFileName();
        File.WriteAllBytes(_file, new byte[HostileFrontend.GrantPages * GrantArea.PageSize]);
        FileDescriptorHandle regular;
        using (var fs = File.OpenHandle(_file, FileMode.Open, FileAccess.ReadWrite))
        {
            regular = Native.Dup(new FileDescriptorHandle((int)fs.DangerousGetHandle(), ownsHandle: false));
        }
        var (socket, peer) = TapSocketPair.Create();
        _owned.Add(peer);
        long rightSize = (long)HostileFrontend.GrantPages * GrantArea.PageSize;
        All =
        [
            read,
            regular,
            Native.Memfd(rightSize),                                        // unsealed
            Native.Memfd(rightSize, allowSealing: false),                   // cannot even be sealed
            Native.Memfd(rightSize + GrantArea.PageSize, GrantArea.RequiredSeals), // wrong size
            Native.Memfd(GrantArea.PageSize, GrantArea.RequiredSeals),       // too small for its rings
            socket,
            Native.Eventfd(),                                               // right kind for a channel, wrong for the area
        ];
        _owned.AddRange(All);
    }

    public FileDescriptorHandle[] All { get; }

    public FileDescriptorHandle Pick(Random rng) => All[rng.Next(All.Length)];

    public void Dispose()
    {
        foreach (var d in _owned)
        {
            d.Dispose();
        }
        File.Delete(_file);
    }
}
