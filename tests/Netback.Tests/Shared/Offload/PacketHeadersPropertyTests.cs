using System.Buffers.Binary;
using CsCheck;
using Ring.Shared.Offload;

namespace Netback.Tests.Shared.Offload;

/// <summary>
/// PacketHeaders.TryParse reads a hostile frontend's bytes: it must never throw, and whatever it
/// reports must lie inside the frame; on well-formed frames it must find exactly the headers built.
/// </summary>
public sealed class PacketHeadersPropertyTests
{
    /// <summary>A frame's shape: VLAN tags, IP version and header lengths, L4 protocol, payload.</summary>
    private sealed record Shape(int Vlans, bool V6, int Ihl, int[] Extensions, bool Tcp, int Doff, int Payload)
    {
        public int Network => 14 + 4 * Vlans;

        public int Transport => Network + (V6 ? 40 + Extensions.Sum(e => (e + 1) * 8) : Ihl * 4);

        public int HeaderLength => Transport + (Tcp ? Doff * 4 : 8);
    }

    private static readonly Gen<Shape> Shapes =
        Gen.Select(Gen.Int[0, 2], Gen.Bool, Gen.Int[5, 15], Gen.Int[0, 3].Array[0, 4], Gen.Bool, Gen.Int[5, 15], Gen.Int[0, 200])
            .Select((vlans, v6, ihl, ext, tcp, doff, payload) => new Shape(vlans, v6, ihl, ext, tcp, doff, payload));

    private static byte[] Build(Shape s)
    {
        var f = new byte[s.HeaderLength + s.Payload];
        int at = 12;
        for (int i = 0; i < s.Vlans; i++, at += 4)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(at), i == 0 && s.Vlans == 2 ? (ushort)0x88A8 : (ushort)0x8100);
        }
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(at), s.V6 ? (ushort)0x86DD : (ushort)0x0800);
        int n = s.Network;
        byte l4 = s.Tcp ? PacketHeaders.ProtocolTcp : PacketHeaders.ProtocolUdp;
        if (s.V6)
        {
            f[n] = 0x60;
            int h = n + 40;
            byte[] kinds = [0, 43, 60];
            f[n + 6] = s.Extensions.Length == 0 ? l4 : kinds[0]; // hop-by-hop first, as RFC 8200 orders them
            for (int i = 0; i < s.Extensions.Length; i++)
            {
                f[h] = i + 1 < s.Extensions.Length ? kinds[1 + (i % 2)] : l4;
                f[h + 1] = (byte)s.Extensions[i];
                h += (s.Extensions[i] + 1) * 8;
            }
        }
        else
        {
            f[n] = (byte)(0x40 | s.Ihl);
            f[n + 9] = l4;
        }
        if (s.Tcp)
        {
            f[s.Transport + 12] = (byte)(s.Doff << 4);
        }
        return f;
    }

    /// <summary>Whatever TryParse claims must be inside the frame and self-consistent.</summary>
    private static bool Sound(ReadOnlySpan<byte> frame)
    {
        if (!PacketHeaders.TryParse(frame, out var h))
        {
            return true;
        }
        return h.Protocol is PacketHeaders.ProtocolTcp or PacketHeaders.ProtocolUdp
            && h.NetworkOffset >= 14
            && h.TransportOffset >= h.NetworkOffset + 20
            && h.HeaderLength >= h.TransportOffset + 8
            && h.HeaderLength <= frame.Length
            && h.TransportOffset + h.ChecksumOffset + 2 <= h.HeaderLength;
    }

    [Fact]
    public void Arbitrary_bytes_never_throw_and_offsets_stay_in_the_frame() =>
        Gen.Byte.Array[0, 300].Sample(bytes => Sound(bytes), iter: 50_000);

    [Fact]
    public void Ethernet_looking_noise_never_throws_and_offsets_stay_in_the_frame() =>
        // noise behind a plausible ethertype reaches the IP and L4 branches far more often
        Gen.Select(Gen.Byte.Array[14, 200], Gen.OneOfConst<ushort>(0x0800, 0x86DD, 0x8100, 0x88A8), Gen.Byte)
            .Sample((bytes, etherType, versionByte) =>
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(12), etherType);
                bytes[^1] = versionByte;
                if (bytes.Length > 14)
                {
                    bytes[14] = (byte)((etherType == 0x86DD ? 0x60 : 0x40) | (versionByte & 0xF));
                }
                return Sound(bytes);
            }, iter: 50_000);

    [Fact]
    public void Well_formed_frames_parse_to_the_headers_built() =>
        Shapes.Sample(s =>
        {
            byte[] f = Build(s);
            return PacketHeaders.TryParse(f, out var h)
                && h.NetworkOffset == s.Network
                && h.IsIPv6 == s.V6
                && h.TransportOffset == s.Transport
                && h.HeaderLength == s.HeaderLength
                && h.Protocol == (s.Tcp ? PacketHeaders.ProtocolTcp : PacketHeaders.ProtocolUdp);
        }, iter: 5_000);

    [Fact]
    public void Truncated_well_formed_frames_are_refused_or_sound() =>
        Gen.Select(Shapes, Gen.Int[0, 1000]).Sample((s, cut) =>
        {
            byte[] f = Build(s);
            int length = cut % (f.Length + 1);
            bool parsed = PacketHeaders.TryParse(f.AsSpan(0, length), out _);
            // headers that do not fit are refused; frames cut only in the payload still parse
            return parsed == length >= s.HeaderLength && Sound(f.AsSpan(0, length));
        }, iter: 10_000);

    [Fact]
    public void Mutated_well_formed_frames_never_throw_and_stay_sound() =>
        Gen.Select(Shapes, Gen.Select(Gen.Int[0, 10_000], Gen.Byte).Array[1, 6]).Sample((s, edits) =>
        {
            byte[] f = Build(s);
            foreach (var (at, value) in edits)
            {
                f[at % f.Length] = value;
            }
            return Sound(f);
        }, iter: 20_000);
}
