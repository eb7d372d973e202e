using System.Text.RegularExpressions;
using System.Xml.Linq;
using Netback.Tests.Support;

namespace Netback.Tests.Architecture;

/// <summary>
/// A reader finds a type where its name says: every file's namespace is its project's root namespace
/// plus its folder, and every top-level type lives in a file of its own name (<c>Type.cs</c>, or
/// <c>Type.Concern.cs</c> for a partial). Checked over the sources of every project in the repository.
/// </summary>
public sealed partial class SourceLayoutTests
{
    public static TheoryData<string> Projects()
    {
        var data = new TheoryData<string>();
        foreach (string csproj in Directory.EnumerateFiles(RepositoryPaths.Root(), "*.csproj", SearchOption.AllDirectories)
                     .Where(p => !p.Contains("/artifacts/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryPaths.Root(), csproj));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Namespace_is_folder_and_file_is_type(string project)
    {
        string csproj = Path.Combine(RepositoryPaths.Root(), project);
        string dir = Path.GetDirectoryName(csproj)!;
        string root = XDocument.Load(csproj).Descendants("RootNamespace").Select(e => e.Value).FirstOrDefault()
            ?? Path.GetFileNameWithoutExtension(csproj);
        var problems = new List<string>();
        foreach (string file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(dir, file);
            if (rel.StartsWith("obj/", StringComparison.Ordinal) || rel.StartsWith("bin/", StringComparison.Ordinal))
            {
                continue;
            }
            string text = File.ReadAllText(file);
            string folder = Path.GetDirectoryName(rel)!.Replace('/', '.');
            string expected = folder.Length == 0 ? root : $"{root}.{folder}";
            var ns = NamespaceLine().Match(text);
            if (!ns.Success)
            {
                // Top-level statements (Program.cs) and assembly attributes live in no namespace.
                if (folder.Length != 0 || TypeLine().IsMatch(text))
                {
                    problems.Add($"{rel}: no file-scoped namespace (expected {expected})");
                }
                continue;
            }
            if (ns.Groups[1].Value != expected)
            {
                problems.Add($"{rel}: namespace {ns.Groups[1].Value}, folder says {expected}");
            }
            string fileType = Path.GetFileName(rel).Split('.')[0];
            foreach (Match m in TypeLine().Matches(text))
            {
                string type = m.Groups[1].Value;
                if (type != fileType)
                {
                    problems.Add($"{rel}: holds type {type}");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [GeneratedRegex(@"^namespace ([A-Za-z0-9_.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    /// <summary>A top-level (unindented) type declaration.</summary>
    [GeneratedRegex(@"^(?:(?:public|internal|file|sealed|static|abstract|readonly|unsafe|partial|ref)\s+)*(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?)\s+([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
