using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>
/// posix_spawn(3) and what a parent needs around it: a pipe for the child's stderr, a pidfd to hear
/// its exit, waitid/waitpid to peek at and reap it, kill for its process group. glibc's spawn
/// attribute and file-action objects are opaque; they are given buffers larger than glibc's
/// (336 and 80 bytes on 64-bit). posix_spawn and its helpers return an error number instead of
/// setting errno.
/// </summary>
internal static unsafe partial class Spawn
{
    public const int AttrSize = 512;
    public const int FileActionsSize = 256;
    /// <summary>glibc's sigset_t: 1024 bits.</summary>
    public const int SigsetSize = 128;
    /// <summary>siginfo_t.</summary>
    public const int SiginfoSize = 128;

    public const short POSIX_SPAWN_SETPGROUP = 0x02;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_CLOEXEC = 0x80000;

    public const int P_PID = 1;
    public const int WNOHANG = 1;
    public const int WEXITED = 4;
    public const int WNOWAIT = 0x01000000;

    /// <summary>siginfo_t's si_code for a child: exited, killed, killed with a core.</summary>
    public const int CLD_EXITED = 1;
    public const int CLD_KILLED = 2;
    public const int CLD_DUMPED = 3;
    /// <summary>Offsets in siginfo_t (64-bit): si_code, and the SIGCHLD fields si_pid and si_status.</summary>
    public const int SiCodeOffset = 8;
    public const int SiPidOffset = 16;
    public const int SiStatusOffset = 24;

    public const int SIGKILL = 9;
    public const int ESRCH = 3;
    public const int ECHILD = 10;

    /// <summary>pidfd_open(2) (Linux 5.3), through syscall(2): its number is the same on every architecture.</summary>
    private const long SYS_pidfd_open = 434;

    [LibraryImport(Libc.Name, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn(int* pid, string path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Libc.Name, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn_file_actions_addopen(void* actions, int fd, string path, int oflag, uint mode);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    /// <summary>glibc 2.34: closes every fd from <paramref name="from"/> up in the child.</summary>
    [LibraryImport(Libc.Name)]
    public static partial int posix_spawn_file_actions_addclosefrom_np(void* actions, int from);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_setpgroup(void* attr, int pgroup);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigmask);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigdefault);

    [LibraryImport(Libc.Name)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int waitid(int idtype, int id, void* info, int options);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Libc.Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall_pidfd_open(long number, int pid, uint flags);

    public static int pidfd_open(int pid) => (int)syscall_pidfd_open(SYS_pidfd_open, pid, 0);
}
