using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Interop;

/// <summary>
/// A program run with posix_spawn the way the daemon runs a hotplug script: in a process group of
/// its own (so a timeout kills whatever it started too), stdin and stdout on /dev/null, stderr on a
/// pipe the parent reads, no other descriptor (close-from 3, on top of O_CLOEXEC everywhere), every
/// signal disposition and the mask back to the defaults (the .NET runtime ignores SIGPIPE, which
/// exec would hand down), and only the environment given. Its exit is heard on a pidfd, so one poll
/// waits for output, exit or the caller's deadline on the caller's own thread; the .NET runtime's
/// SIGCHLD handling reaps only the children of System.Diagnostics.Process and never this one. The
/// caller reaps it (<see cref="Reap"/>); <see cref="Dispose"/> kills the group and reaps what is
/// left, so no zombie stays behind.
/// </summary>
internal sealed unsafe class ChildProcess : IDisposable
{
    private readonly FileDescriptorHandle _pidfd;
    private FileDescriptorHandle? _stderr;

    private ChildProcess(int pid, FileDescriptorHandle pidfd, FileDescriptorHandle stderr)
    {
        Pid = pid;
        _pidfd = pidfd;
        _stderr = stderr;
    }

    public int Pid { get; }

    /// <summary>True once the child was reaped: its pid is no longer its own.</summary>
    public bool Reaped { get; private set; }

    /// <summary>Runs <paramref name="path"/> with <paramref name="arguments"/> (argv, [0] included) and <paramref name="environment"/> (KEY=value).</summary>
    public static ChildProcess Start(string path, IReadOnlyList<string> arguments, IReadOnlyList<string> environment)
    {
        int* fds = stackalloc int[2];
        NativeError.ThrowIfError(Spawn.pipe2(fds, Spawn.O_CLOEXEC), "pipe2");
        var read = new FileDescriptorHandle(fds[0]);
        int pid;
        using (var write = new FileDescriptorHandle(fds[1]))
        {
            try
            {
                pid = SpawnChild(path, arguments, environment, fds[1]);
            }
            catch
            {
                read.Dispose();
                throw;
            }
        } // the child has its copy: end of file comes once it, and whatever it started, closed theirs
        int pidfd = Spawn.pidfd_open(pid);
        if (pidfd < 0)
        {
            int errno = NativeError.LastErrno;
            _ = Spawn.kill(-pid, Spawn.SIGKILL);
            _ = Spawn.waitpid(pid, null, 0); // after SIGKILL: at once
            read.Dispose();
            throw NativeError.Exception("pidfd_open", errno);
        }
        return new ChildProcess(pid, new FileDescriptorHandle(pidfd), read);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (0: a look) for the child's stderr or its exit. Output
    /// is reported before the exit, so whatever was written is read before <see cref="ChildEvent.Exited"/>.
    /// </summary>
    public ChildEvent Wait(Span<byte> buffer, int timeoutMs, out int count)
    {
        count = 0;
        using var pid = new HandleLease(_pidfd);
        using var stderr = _stderr is null ? default : new HandleLease(_stderr);
        pollfd* p = stackalloc pollfd[2];
        p[0] = new pollfd { fd = stderr.IsValid ? stderr.Value : -1, events = POLLIN }; // -1: poll skips it
        p[1] = new pollfd { fd = pid.Value, events = POLLIN };
        int r = Sys.poll(p, 2, timeoutMs);
        if (r < 0)
        {
            int errno = NativeError.LastErrno;
            return errno == NativeError.EINTR ? ChildEvent.None : throw NativeError.Exception("poll", errno);
        }
        if (r == 0)
        {
            return ChildEvent.None;
        }
        if (stderr.IsValid && p[0].revents != 0)
        {
            nint n;
            fixed (byte* b = buffer)
            {
                n = Uio.read(stderr.Value, b, (nuint)buffer.Length);
            }
            if (n > 0)
            {
                count = (int)n;
                return ChildEvent.Output;
            }
            if (n < 0 && NativeError.LastErrno is NativeError.EINTR or NativeError.EAGAIN)
            {
                return ChildEvent.None;
            }
            _stderr!.Dispose(); // end of file (or a broken pipe): closed once the lease above is released
            _stderr = null;
            return ChildEvent.OutputClosed;
        }
        return (p[1].revents & POLLIN) != 0 ? ChildEvent.Exited : ChildEvent.None;
    }

    /// <summary>
    /// How the child ended, once <see cref="Wait"/> said <see cref="ChildEvent.Exited"/>, without
    /// reaping it: until <see cref="Reap"/> its pid, and so its process group, stay its own.
    /// </summary>
    public ChildExit PeekExit()
    {
        byte* info = stackalloc byte[Spawn.SiginfoSize];
        new Span<byte>(info, Spawn.SiginfoSize).Clear();
        if (Spawn.waitid(Spawn.P_PID, Pid, info, Spawn.WEXITED | Spawn.WNOWAIT | Spawn.WNOHANG) < 0)
        {
            int errno = NativeError.LastErrno;
            // ECHILD: whoever started this process ignores SIGCHLD, so the kernel reaped it already.
            return errno == Spawn.ECHILD ? ChildExit.Unknown : throw NativeError.Exception("waitid", errno);
        }
        if (*(int*)(info + Spawn.SiPidOffset) == 0)
        {
            throw new InvalidOperationException($"process {Pid} has not exited");
        }
        int code = *(int*)(info + Spawn.SiCodeOffset);
        int status = *(int*)(info + Spawn.SiStatusOffset);
        return code == Spawn.CLD_EXITED ? new ChildExit(status, null) : new ChildExit(null, status);
    }

    /// <summary>SIGKILL to the child's process group: the child and whatever it started and left in it.</summary>
    public void KillGroup()
    {
        if (!Reaped)
        {
            _ = Spawn.kill(-Pid, Spawn.SIGKILL); // ESRCH: nobody left
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for the child to exit and reaps it; false if it has not exited.</summary>
    public bool Reap(int timeoutMs)
    {
        if (Reaped)
        {
            return true;
        }
        using (var lease = new HandleLease(_pidfd))
        {
            pollfd p = new() { fd = lease.Value, events = POLLIN };
            _ = Sys.poll(&p, 1, timeoutMs);
        }
        int r = Spawn.waitpid(Pid, null, Spawn.WNOHANG);
        if (r == Pid || (r < 0 && NativeError.LastErrno == Spawn.ECHILD))
        {
            Reaped = true;
        }
        return Reaped;
    }

    /// <summary>Kills the group and reaps the child if the caller did not (2 s at most), then closes the pidfd and the pipe.</summary>
    public void Dispose()
    {
        if (!Reaped)
        {
            KillGroup();
            Reap(2000);
        }
        _stderr?.Dispose();
        _stderr = null;
        _pidfd.Dispose();
    }

    private static int SpawnChild(string path, IReadOnlyList<string> arguments, IReadOnlyList<string> environment, int stderrFd)
    {
        byte* actions = stackalloc byte[Spawn.FileActionsSize];
        byte* attr = stackalloc byte[Spawn.AttrSize];
        byte* mask = stackalloc byte[Spawn.SigsetSize];
        byte* defaults = stackalloc byte[Spawn.SigsetSize];
        Check(Spawn.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        byte** argv = null;
        byte** envp = null;
        try
        {
            Check(Spawn.posix_spawnattr_init(attr), "posix_spawnattr_init");
            try
            {
                // dup2 first: were the pipe fd 0 or 1, the opens below would otherwise replace it.
                Check(Spawn.posix_spawn_file_actions_adddup2(actions, stderrFd, 2), "posix_spawn_file_actions_adddup2");
                Check(Spawn.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", Spawn.O_RDONLY, 0), "posix_spawn_file_actions_addopen");
                Check(Spawn.posix_spawn_file_actions_addopen(actions, 1, "/dev/null", Spawn.O_WRONLY, 0), "posix_spawn_file_actions_addopen");
                try
                {
                    Check(Spawn.posix_spawn_file_actions_addclosefrom_np(actions, 3), "posix_spawn_file_actions_addclosefrom_np");
                }
                catch (EntryPointNotFoundException)
                {
                    // glibc before 2.34: O_CLOEXEC, which every fd of this process has, alone.
                }
                _ = Spawn.sigemptyset(mask);
                // Every signal back to SIG_DFL, glibc's own two (32, 33) included: sigfillset leaves them
                // out, and glibc's spawn then sets them to SIG_IGN in the child, which exec keeps.
                new Span<byte>(defaults, Spawn.SigsetSize).Clear();
                new Span<byte>(defaults, 8).Fill(0xFF);
                Check(Spawn.posix_spawnattr_setsigmask(attr, mask), "posix_spawnattr_setsigmask");
                Check(Spawn.posix_spawnattr_setsigdefault(attr, defaults), "posix_spawnattr_setsigdefault");
                Check(Spawn.posix_spawnattr_setpgroup(attr, 0), "posix_spawnattr_setpgroup");
                Check(Spawn.posix_spawnattr_setflags(attr, Spawn.POSIX_SPAWN_SETPGROUP | Spawn.POSIX_SPAWN_SETSIGDEF | Spawn.POSIX_SPAWN_SETSIGMASK),
                    "posix_spawnattr_setflags");
                argv = Strings(arguments);
                envp = Strings(environment);
                int pid;
                Check(Spawn.posix_spawn(&pid, path, actions, attr, argv, envp), $"posix_spawn {path}");
                return pid;
            }
            finally
            {
                _ = Spawn.posix_spawnattr_destroy(attr);
            }
        }
        finally
        {
            _ = Spawn.posix_spawn_file_actions_destroy(actions);
            Free(argv);
            Free(envp);
        }
    }

    /// <summary>A NULL-terminated array of NUL-terminated UTF-8 strings, as argv and envp are.</summary>
    private static byte** Strings(IReadOnlyList<string> strings)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < strings.Count; i++)
        {
            int length = Encoding.UTF8.GetByteCount(strings[i]);
            var s = (byte*)NativeMemory.Alloc((nuint)length + 1);
            Encoding.UTF8.GetBytes(strings[i], new Span<byte>(s, length));
            s[length] = 0;
            array[i] = s;
        }
        return array;
    }

    private static void Free(byte** array)
    {
        if (array is null)
        {
            return;
        }
        for (byte** p = array; *p is not null; p++)
        {
            NativeMemory.Free(*p);
        }
        NativeMemory.Free(array);
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw NativeError.Exception(call, error);
        }
    }
}
