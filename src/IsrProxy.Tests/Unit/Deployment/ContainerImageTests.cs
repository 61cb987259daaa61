using System.Text.RegularExpressions;
using IsrProxy.Hosting;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Unit.Deployment;

/// <summary>The Dockerfiles, read as text: no Docker engine is needed to check what the images are made of.</summary>
public sealed partial class ContainerImageTests
{
    private const string ProxyDockerfile = "Dockerfile";
    private const string SampleDockerfile = "samples/SampleOrigin/Dockerfile";
    private const string PublishScript = "deploy/publish.sh";

    [Theory]
    [InlineData(ProxyDockerfile)]
    [InlineData(SampleDockerfile)]
    public void Dockerfile_BuildsWithTheSdk_AndShipsOnlyTheAspNetRuntime(string dockerfile)
    {
        var instructions = DockerfileInstructions.Parse(dockerfile);
        var froms = instructions.Where(i => i.Keyword == "FROM").Select(i => i.Arguments).ToList();

        Assert.Equal(2, froms.Count);
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0 AS build", froms[0]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", froms[1], StringComparison.Ordinal);
        var final = instructions.FinalStage();
        Assert.DoesNotContain(final, i => i.Arguments.Contains("sdk", StringComparison.OrdinalIgnoreCase));
        Assert.All(final.Where(i => i.Keyword == "COPY"), i => Assert.StartsWith("--from=build ", i.Arguments, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ProxyDockerfile, "8080", "IsrProxy.dll")]
    [InlineData(SampleDockerfile, "3000", "SampleOrigin.dll")]
    public void Dockerfile_FinalStage_RunsAsNonRoot_OnItsPort(string dockerfile, string port, string assembly)
    {
        var final = DockerfileInstructions.Parse(dockerfile).FinalStage();

        var user = Assert.Single(final, i => i.Keyword == "USER").Arguments;
        Assert.Equal("$APP_UID", user);                                       // the base image's non-root "app" user
        Assert.Equal(port, Assert.Single(final, i => i.Keyword == "EXPOSE").Arguments);
        Assert.Equal($"[\"dotnet\", \"/app/{assembly}\"]", Assert.Single(final, i => i.Keyword == "ENTRYPOINT").Arguments);
        var lastUser = final.ToList().FindLastIndex(i => i.Keyword == "USER");
        Assert.DoesNotContain(final.Skip(lastUser), i => i.Keyword == "RUN");
    }

    [Fact]
    public void ProxyDockerfile_ListensOn8080_ThroughUrls_WhichOutranksAppsettings()
    {
        var final = DockerfileInstructions.Parse(ProxyDockerfile).FinalStage();

        Assert.Contains(final, i => i.Keyword == "ENV" && i.Arguments == "Urls=http://+:8080");
        Assert.DoesNotContain(final, i => i.Keyword == "ENV" && i.Arguments.Contains("ASPNETCORE_URLS", StringComparison.Ordinal));
    }

    [Fact]
    public void ProxyDockerfile_AndBenchmark_StartTheRuntimeWithTheSameVariables()
    {
        var final = DockerfileInstructions.Parse(ProxyDockerfile).FinalStage();
        var runtime = final
            .Where(i => i.Keyword == "ENV" && i.Arguments.StartsWith("DOTNET_", StringComparison.Ordinal))
            .Select(i => i.Arguments)
            .ToList();
        var bench = BenchRuntimeEnv().Match(RepositoryFiles.Read("bench/run.sh"));

        Assert.Contains("DOTNET_TC_CallCountingDelayMs=0", runtime);
        Assert.True(bench.Success, "bench/run.sh declares ISR_RUNTIME_ENV=(...)");
        Assert.Equal(runtime, bench.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ProxyDockerfile_Healthcheck_RunsTheProxysOwnHealthcheckFlag()
    {
        var healthcheck = Assert.Single(DockerfileInstructions.Parse(ProxyDockerfile).FinalStage(), i => i.Keyword == "HEALTHCHECK").Arguments;

        Assert.EndsWith($"CMD [\"dotnet\", \"/app/IsrProxy.dll\", \"{HealthCheckCommand.Flag}\"]", healthcheck, StringComparison.Ordinal);
    }

    [Fact]
    public void ProxyDockerfile_AndCi_PublishThroughTheSameScript()
    {
        var build = DockerfileInstructions.Parse(ProxyDockerfile).Where(i => i.Stage == 0).ToList();
        var ci = RepositoryFiles.Read(".ci/run");
        var script = RepositoryFiles.Read(PublishScript);

        Assert.Contains(build, i => i.Keyword == "RUN" && i.Arguments == $"sh {PublishScript} /app");
        Assert.Contains(build, i => i.Keyword == "COPY" && i.Arguments == $"{PublishScript} deploy/");
        Assert.Matches(PublishCall(), ci);
        Assert.DoesNotContain("dotnet publish", ci, StringComparison.Ordinal);
        Assert.DoesNotContain(build, i => i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.Contains("dotnet publish src/IsrProxy/IsrProxy.csproj", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Proxy_TakesYarpAsAPackage_AndThePublishScriptChecksItShipsWithTheApp()
    {
        var project = RepositoryFiles.Read("src/IsrProxy/IsrProxy.csproj");
        var script = RepositoryFiles.Read(PublishScript);

        Assert.Contains("<PackageReference Include=\"Yarp.ReverseProxy\" Version=\"2.3.0\" />", project, StringComparison.Ordinal);
        Assert.DoesNotContain("PackageDownload", project, StringComparison.Ordinal);
        Assert.DoesNotContain("HintPath", project, StringComparison.Ordinal);
        Assert.Matches(PublishedFilesCheck(), script);
    }

    [Theory]
    [InlineData(ProxyDockerfile)]
    [InlineData(SampleDockerfile)]
    public void Dockerfile_RestoresFromProjectFilesAlone_BeforeCopyingSources(string dockerfile)
    {
        var build = DockerfileInstructions.Parse(dockerfile).Where(i => i.Stage == 0).ToList();
        var restore = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));

        Assert.True(restore > 0, $"{dockerfile} has no 'RUN dotnet restore'.");
        var copiedBefore = build.Take(restore).Where(i => i.Keyword == "COPY").SelectMany(i => Sources(i.Arguments)).ToList();
        Assert.NotEmpty(copiedBefore);
        Assert.All(copiedBefore, source => Assert.True(
            source.EndsWith(".csproj", StringComparison.Ordinal) || source.EndsWith(".props", StringComparison.Ordinal) || source == ".editorconfig",
            $"{dockerfile} copies '{source}' before restoring, so any change to it would redo the restore."));
    }

    [Theory]
    [InlineData(ProxyDockerfile)]
    [InlineData(SampleDockerfile)]
    public void Dockerfile_EveryCopiedPath_ExistsInTheRepository(string dockerfile)
    {
        var copies = DockerfileInstructions.Parse(dockerfile).Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal));

        Assert.All(copies.SelectMany(i => Sources(i.Arguments)), source => Assert.True(RepositoryFiles.Exists(source), $"{dockerfile} copies '{source}', which does not exist."));
    }

    [Fact]
    public void DockerIgnore_KeepsTheSecretFileAndBuildOutputOutOfTheContext()
    {
        var ignored = RepositoryFiles.Read(".dockerignore").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains(".env", ignored);
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
    }

    /// <summary>The source paths of a COPY (all words but the last, the destination).</summary>
    private static IEnumerable<string> Sources(string arguments)
    {
        var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Take(words.Length - 1);
    }

    [GeneratedRegex(@"(?m)^\s*if ! sh deploy/publish\.sh ""\$publish_dir""; then")]
    private static partial Regex PublishCall();

    [GeneratedRegex(@"(?m)^for file in [^;]*\bYarp\.ReverseProxy\.dll\b[^;]*; do$")]
    private static partial Regex PublishedFilesCheck();

    [GeneratedRegex(@"(?m)^ISR_RUNTIME_ENV=\(([^)]*)\)$")]
    private static partial Regex BenchRuntimeEnv();
}
