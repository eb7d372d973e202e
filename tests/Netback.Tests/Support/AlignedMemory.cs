using System.Runtime.InteropServices;

namespace Netback.Tests.Support;

/// <summary>Zeroed, page-aligned native memory standing in for a shared ring page.</summary>
internal sealed unsafe class AlignedMemory : IDisposable
{
    public AlignedMemory(int bytes)
    {
        Length = bytes;
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        new Span<byte>(Pointer, bytes).Clear();
    }

    public byte* Pointer { get; private set; }

    public int Length { get; }

    public uint ReadU32(int offset) => *(uint*)(Pointer + offset);

    public void WriteU32(int offset, uint value) => *(uint*)(Pointer + offset) = value;

    public void Dispose()
    {
        if (Pointer != null)
        {
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
        }
    }
}
