using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ring.Shared.Offload;

namespace Netback.Tests.Support;

/// <summary>
/// The test's ("host stack's") end of a socketpair "TAP". The backend's TAPs are IFF_VNET_HDR, so
/// every frame on the pair carries a 10-byte virtio_net_hdr: <see cref="Send(ReadOnlySpan{byte})"/>
/// and <see cref="Receive(Span{byte})"/> add and strip an empty one, as a plain host stack would see
/// it; the overloads with a <see cref="VirtioNetHdr"/> expose it. No allocation per frame (one
/// buffer each way), so allocation-measuring tests can reflect frames through it.
/// </summary>
internal sealed class HostTap : IDisposable
{
    private const int MaxFrame = 70_000;
    private readonly byte[] _sendBuffer = new byte[VirtioNetHdr.Size + MaxFrame];
    private readonly byte[] _receiveBuffer = new byte[VirtioNetHdr.Size + MaxFrame];
    private readonly Lock _sendLock = new();
    private readonly Lock _receiveLock = new();

    public HostTap(Socket socket) => Socket = socket;

    /// <summary>The raw socket: frames with their virtio_net_hdr.</summary>
    public Socket Socket { get; }

    public int ReceiveTimeout
    {
        get => Socket.ReceiveTimeout;
        set => Socket.ReceiveTimeout = value;
    }

    public int SendTimeout
    {
        get => Socket.SendTimeout;
        set => Socket.SendTimeout = value;
    }

    /// <summary>Bytes queued towards the host (headers included): 0 means no frame is waiting.</summary>
    public int Available => Socket.Available;

    /// <summary>Sends <paramref name="frame"/> towards the guest with an empty virtio_net_hdr.</summary>
    public int Send(ReadOnlySpan<byte> frame) => Send(default, frame);

    public int Send(byte[] buffer, int offset, int size, SocketFlags flags) => Send(default, buffer.AsSpan(offset, size));

    /// <summary>Sends <paramref name="frame"/> behind <paramref name="header"/>; returns the frame's length.</summary>
    public int Send(VirtioNetHdr header, ReadOnlySpan<byte> frame)
    {
        lock (_sendLock)
        {
            MemoryMarshal.Write(_sendBuffer, in header);
            frame.CopyTo(_sendBuffer.AsSpan(VirtioNetHdr.Size));
            int n = Socket.Send(_sendBuffer, 0, VirtioNetHdr.Size + frame.Length, SocketFlags.None);
            return n - VirtioNetHdr.Size;
        }
    }

    /// <summary>Receives one frame, its virtio_net_hdr stripped; 0 at EOF.</summary>
    public int Receive(Span<byte> buffer) => Receive(buffer, out _);

    /// <summary>Receives one frame and its virtio_net_hdr; 0 at EOF.</summary>
    public int Receive(Span<byte> buffer, out VirtioNetHdr header)
    {
        lock (_receiveLock)
        {
            header = default;
            int n = Socket.Receive(_receiveBuffer);
            if (n == 0)
            {
                return 0;
            }
            if (n < VirtioNetHdr.Size)
            {
                throw new InvalidDataException($"a {n}-byte record on an IFF_VNET_HDR \"TAP\": no virtio_net_hdr");
            }
            header = MemoryMarshal.Read<VirtioNetHdr>(_receiveBuffer);
            int length = n - VirtioNetHdr.Size;
            _receiveBuffer.AsSpan(VirtioNetHdr.Size, length).CopyTo(buffer);
            return length;
        }
    }

    public void Dispose() => Socket.Dispose();
}
