namespace Netback.Tests.Support;

/// <summary>Where the repository is, from the test assembly's folder (artifacts/bin/… below it).</summary>
internal static class RepositoryPaths
{
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Netback.sln")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException("Netback.sln not found above " + AppContext.BaseDirectory);
    }
}
