using System.Buffers.Binary;
using System.Numerics;
using Ring.Shared.Offload;

namespace Netfront.Client;

/// <summary>
/// A flow hash over the IP addresses, protocol and TCP/UDP ports of an Ethernet frame, for spreading
/// flows over queues as the kernel's multi-queue TAP does (<c>skb_get_hash</c> then
/// <c>reciprocal_scale</c>): every frame of a flow maps to the same queue, so no flow is reordered.
/// Deterministic (no per-process seed). Frames without IPv4/IPv6 hash to 0; IP frames that are
/// neither TCP nor UDP, or fragments, hash over their addresses and protocol only.
/// </summary>
internal static class FlowHash
{
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;

    public static uint Compute(ReadOnlySpan<byte> frame)
    {
        int offset = 12;
        if (frame.Length < offset + 2)
        {
            return 0;
        }
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        for (int tags = 0; tags < 2 && etherType is EtherTypeVlan or EtherTypeQinQ; tags++)
        {
            offset += 4;
            if (frame.Length < offset + 2)
            {
                return 0;
            }
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        }
        int network = offset + 2;
        uint h = 0x5BD1E995;
        if (etherType == EtherTypeIPv4 && frame.Length >= network + 20)
        {
            h = Mix(h, frame[network + 9]);
            h = Mix(h, BinaryPrimitives.ReadUInt32LittleEndian(frame[(network + 12)..]));
            h = Mix(h, BinaryPrimitives.ReadUInt32LittleEndian(frame[(network + 16)..]));
        }
        else if (etherType == EtherTypeIPv6 && frame.Length >= network + 40)
        {
            h = Mix(h, frame[network + 6]);
            for (int i = 8; i < 40; i += 4)
            {
                h = Mix(h, BinaryPrimitives.ReadUInt32LittleEndian(frame[(network + i)..]));
            }
        }
        else
        {
            return 0;
        }
        if (PacketHeaders.TryParse(frame, out var headers))
        {
            h = Mix(h, BinaryPrimitives.ReadUInt32LittleEndian(frame[headers.TransportOffset..])); // both ports
        }
        return Finish(h);
    }

    /// <summary>reciprocal_scale: maps a 32-bit hash onto 0..<paramref name="count"/>-1 without a division.</summary>
    public static int Scale(uint hash, int count) => (int)(((ulong)hash * (uint)count) >> 32);

    private static uint Mix(uint h, uint v)
    {
        h ^= v * 0x9E3779B1;
        return BitOperations.RotateLeft(h, 13) * 0x85EBCA77;
    }

    // murmur3's finaliser: every input bit reaches the high bits that Scale uses.
    private static uint Finish(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }
}
