using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Interop;

/// <summary>An owned Linux file descriptor, closed exactly once when released.</summary>
public sealed class FileDescriptorHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public FileDescriptorHandle() : base(ownsHandle: true) { }

    public FileDescriptorHandle(int fd, bool ownsHandle = true) : base(ownsHandle) => SetHandle(fd);

    /// <summary>The raw descriptor; callers must hold a reference (DangerousAddRef) while using it.</summary>
    internal int Fd => (int)DangerousGetHandle();

    // fd 0 is valid on Linux; SafeHandleZeroOrMinusOneIsInvalid would treat it as invalid, so override.
    public override bool IsInvalid => DangerousGetHandle() < 0;

    protected override bool ReleaseHandle() => close((int)handle) == 0;
}
