namespace Ring.Shared.Interop;

internal static class Libc
{
    /// <summary>glibc's soname; plain "libc" would probe libc.so, which is a linker script on Debian.</summary>
    public const string Name = "libc.so.6";
}
