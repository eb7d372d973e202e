using System.Buffers.Binary;

namespace UserspaceGuest;

/// <summary>RFC 1071's ones'-complement sum, for the IPv4 header and ICMP.</summary>
internal static class InternetChecksum
{
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
