namespace Netback.Tests.Daemon.Interface;

/// <summary>
/// A temporary hotplug script directory (mode 0700, as Directory.CreateTempSubdirectory makes it):
/// scripts written into it are 0755 shell scripts. Deleted on dispose.
/// </summary>
internal sealed class ScriptDirectory : IDisposable
{
    public ScriptDirectory() => Path = Directory.CreateTempSubdirectory("netback-scripts-").FullName;

    public string Path { get; }

    /// <summary>Writes <c>#!/bin/sh</c> and <paramref name="body"/> as an executable script; returns its path.</summary>
    public string Write(string name, string body, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        string path = System.IO.Path.Join(Path, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    /// <summary>Lines the scripts appended to <c>calls</c> in this directory (<see cref="Recorder"/>).</summary>
    public string[] Calls()
    {
        string file = System.IO.Path.Join(Path, "calls");
        return File.Exists(file) ? File.ReadAllLines(file) : [];
    }

    /// <summary>A script body that records its command and environment, one line per run, in <c>calls</c>.</summary>
    public const string Recorder =
        "echo \"$1 vif=$vif domid=$domid devid=$devid mac=$mac ip=$ip bridge=$bridge mtu=$mtu script=$script XENBUS_PATH=$XENBUS_PATH\" >> \"$(dirname \"$0\")/calls\"";

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
