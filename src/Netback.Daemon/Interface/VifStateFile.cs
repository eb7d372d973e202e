using System.Globalization;
using System.Text.Json;
using Netback.Daemon.Configuration;
using Tmds.Linux;

namespace Netback.Daemon.Interface;

/// <summary>
/// The runtime declarations (<c>netbackctl vif-add</c>) on disk, so a restarted daemon still knows
/// the vifs its frontends reconnect to: <c>&lt;StateDirectory&gt;/vifs.json</c>. Written as xl keeps
/// its domain configs, whole and atomically (a 0600 temp file, fsync, rename). Read strictly: a file
/// another uid could have written, a symlink, an unknown key or a bad entry stops the daemon with
/// the reason, rather than declaring vifs nobody asked for or silently dropping some.
/// </summary>
/// <remarks>
/// Format: <c>{"version":1,"vifs":[{"domid":5,"devid":0,"uid":1000,"gid":27,"spec":"mac=…"}]}</c>
/// (<c>uid</c> and <c>gid</c> each optional, one required; <c>spec</c> in xl's vifspec syntax).
/// </remarks>
internal sealed class VifStateFile
{
    public const string FileName = "vifs.json";

    /// <summary>Far above 4096 declarations of 200 bytes; a larger file is not ours.</summary>
    public const int MaxBytes = 1 << 20;

    private const int Version = 1;
    private const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    public VifStateFile(string directory)
    {
        Directory = directory;
        Path = System.IO.Path.Combine(directory, FileName);
    }

    public string Directory { get; }

    public string Path { get; }

    /// <summary>The declarations in the file; none when the directory or file does not exist yet.</summary>
    public IReadOnlyList<VifDeclaration> Load()
    {
        if (!Present(Directory))
        {
            return [];
        }
        CheckTrusted(Directory, directory: true);
        if (!Present(Path))
        {
            return [];
        }
        CheckTrusted(Path, directory: false);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Problem($"cannot be read: {e.Message}");
        }
        if (bytes.Length > MaxBytes)
        {
            throw Problem($"is larger than {MaxBytes} bytes");
        }
        try
        {
            using var json = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 4 });
            return Parse(json.RootElement);
        }
        catch (JsonException e)
        {
            throw Problem($"is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Replaces the file with <paramref name="declarations"/>: temp file (0600), fsync, rename.</summary>
    public void Save(IEnumerable<VifDeclaration> declarations)
    {
        string temp = $"{Path}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            CheckTrusted(Directory, directory: true);
            File.Delete(temp); // a leftover of a crash; the directory is ours alone
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var stream = new FileStream(temp, options))
            {
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    Write(writer, declarations);
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, Path, overwrite: true); // rename(2): readers see the old file or the new, never half
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }
            throw new VifStateException($"cannot write {Path}: {e.Message}", e);
        }
    }

    private static void Write(Utf8JsonWriter writer, IEnumerable<VifDeclaration> declarations)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", Version);
        writer.WriteStartArray("vifs");
        foreach (var d in declarations.OrderBy(d => (d.DomId, d.DevId)))
        {
            writer.WriteStartObject();
            writer.WriteNumber("domid", d.DomId);
            writer.WriteNumber("devid", d.DevId);
            if (d.Uid is { } uid)
            {
                writer.WriteNumber("uid", uid);
            }
            if (d.Gid is { } gid)
            {
                writer.WriteNumber("gid", gid);
            }
            writer.WriteString("spec", d.Spec.Format());
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private List<VifDeclaration> Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Problem("is not a JSON object");
        }
        JsonElement? vifs = null;
        foreach (var p in root.EnumerateObject())
        {
            switch (p.Name)
            {
                case "version":
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int v) || v != Version)
                    {
                        throw Problem($"has version {p.Value}, this daemon reads version {Version}");
                    }
                    break;
                case "vifs":
                    vifs = p.Value.ValueKind == JsonValueKind.Array ? p.Value : throw Problem("'vifs' is not a list");
                    break;
                default:
                    throw Problem($"has an unknown key '{p.Name}'");
            }
        }
        var list = new List<VifDeclaration>();
        if (vifs is not { } entries)
        {
            throw Problem("has no 'vifs' list");
        }
        int i = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            var d = ParseEntry(entry, i);
            if (VifDeclarationsValidator.Conflict(list, d) is { } conflict)
            {
                throw Problem($"entry {i}: {conflict}");
            }
            list.Add(d);
            i++;
        }
        return list;
    }

    private VifDeclaration ParseEntry(JsonElement entry, int index)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Problem($"entry {index} is not an object");
        }
        int? domId = null;
        int devId = 0;
        uint? uid = null, gid = null;
        string? spec = null;
        foreach (var p in entry.EnumerateObject())
        {
            switch (p.Name)
            {
                case "domid":
                    domId = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int d) ? d : throw Bad(index, p);
                    break;
                case "devid":
                    devId = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int h) ? h : throw Bad(index, p);
                    break;
                case "uid":
                    uid = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetUInt32(out uint u) ? u : throw Bad(index, p);
                    break;
                case "gid":
                    gid = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetUInt32(out uint g) ? g : throw Bad(index, p);
                    break;
                case "spec":
                    spec = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : throw Bad(index, p);
                    break;
                default:
                    throw Problem($"entry {index} has an unknown key '{p.Name}'");
            }
        }
        return VifDeclaration.TryCreate(domId, devId, uid, gid, spec, VifDeclarationSource.Runtime, out var declaration, out string? error)
            ? declaration!
            : throw Problem($"entry {index}: {error}");
    }

    private VifStateException Bad(int index, JsonProperty p) =>
        Problem($"entry {index}: '{p.Name}' has a bad value {(p.Value.ValueKind == JsonValueKind.String ? "(a string)" : p.Value.GetRawText())}");

    private VifStateException Problem(string what) =>
        new($"state file {Path} {what}; fix it, or move it away to start without the runtime declarations it holds");

    /// <summary>
    /// Only a file this daemon's uid owns, that no group or other can write, and that is no symlink
    /// is ours: anything else could declare vifs for whoever wrote it. Likewise its directory.
    /// </summary>
    private unsafe void CheckTrusted(string path, bool directory)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        stat st;
        fixed (byte* p = bytes)
        {
            if (LibC.lstat(p, &st) != 0)
            {
                throw new VifStateException($"cannot stat {path} (state of runtime declarations)");
            }
        }
        uint mode = (uint)st.st_mode;
        uint type = mode & (uint)LibC.S_IFMT;
        string what = directory ? "state directory" : "state file";
        if (type == (uint)LibC.S_IFLNK)
        {
            throw new VifStateException($"{what} {path} is a symbolic link; refusing to follow it");
        }
        if (type != (uint)(directory ? LibC.S_IFDIR : LibC.S_IFREG))
        {
            throw new VifStateException($"{what} {path} is not a {(directory ? "directory" : "regular file")}");
        }
        uint euid = LibC.geteuid();
        if (st.st_uid != euid)
        {
            throw new VifStateException($"{what} {path} is owned by uid {st.st_uid}, not this daemon's uid {euid}; refusing to trust it");
        }
        if (((UnixFileMode)(mode & 0x1FF) & GroupOrOtherWrite) != 0)
        {
            throw new VifStateException(
                $"{what} {path} is writable by group or others (mode {Convert.ToString(mode & 0x1FF, 8)}); refusing to trust it (chmod go-w)");
        }
    }

    /// <summary>Is there anything at <paramref name="path"/>, a dangling symlink included?</summary>
    private static bool Present(string path) =>
        File.Exists(path) || System.IO.Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;
}
