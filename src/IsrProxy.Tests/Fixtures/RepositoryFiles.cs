namespace IsrProxy.Tests.Fixtures;

/// <summary>Files of the repository the tests were built from, found from the test binaries upwards.</summary>
public static class RepositoryFiles
{
    private const string Marker = "IsrProxy.sln";

    private static readonly Lazy<string> RootFolder = new(FindRoot);

    /// <summary>The folder holding IsrProxy.sln.</summary>
    public static string Root => RootFolder.Value;

    /// <summary>The absolute path of a repository file, given with '/' separators from the root.</summary>
    public static string PathOf(string relativePath)
        => Path.Combine([Root, .. relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries)]);

    public static bool Exists(string relativePath) => File.Exists(PathOf(relativePath)) || Directory.Exists(PathOf(relativePath));

    public static string Read(string relativePath)
    {
        var path = PathOf(relativePath);
        Assert.True(File.Exists(path), $"{relativePath} is missing from the repository at {Root}.");
        return File.ReadAllText(path);
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, Marker)))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above '{AppContext.BaseDirectory}' holds {Marker}.");
    }
}
