using System.Diagnostics;
using Netback.Tests.Support;

namespace Netback.Tests.Client;

/// <summary>
/// <c>dotnet pack</c> makes a Netfront.Client package a separate project can use: the test packs
/// the library (already built) into a temp folder, writes a tiny console consumer outside the
/// repository, restores it offline (sources: that folder and the machine's NuGet cache read as a
/// local feed; a private packages folder, so the cache never holds a test build), runs it against
/// the in-process backend, and sees its frame arrive at the vif and a host frame come back to it.
/// Slow (a restore and a build): <c>--filter Category!=Slow</c> leaves it out.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PackageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(4);

    private const string ConsumerProgram = """
        using Netfront.Client;

        await using var nic = NetfrontAsyncDevice.Connect(new NetfrontOptions { SocketPath = args[0] });
        Console.WriteLine($"attached {nic.Device.VifName}");
        byte[] frame = new byte[60];
        frame.AsSpan(0, 6).Fill(0xff);
        nic.Device.Mac.GetAddressBytes().CopyTo(frame, 6);
        frame[12] = 0x88;
        frame[13] = 0xb5;
        frame[14] = 0x42;
        await nic.SendAsync(frame);
        Console.WriteLine("sent");
        using NetfrontFrame received = await nic.Frames.ReadAsync();
        Console.WriteLine($"received {received.Length} {received.Span[14]:x2}");
        """;

    [Fact]
    public async Task The_packed_library_connects_sends_and_receives_from_a_separate_project()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string repo = RepositoryPaths.Root();
        string work = Directory.CreateTempSubdirectory("netfront-pack-").FullName;
        try
        {
            string feed = Path.Combine(work, "feed");
            // This assembly runs from artifacts/bin/Netback.Tests/<config>_linux-x64: pack that configuration's build.
            string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name.Split('_')[0] is "debug" ? "Debug" : "Release";
            await Dotnet(repo, ct, "pack", Path.Combine(repo, "src/Netfront.Client/Netfront.Client.csproj"),
                "-c", configuration, "--no-build", "-o", feed);
            string package = Assert.Single(Directory.GetFiles(feed, "Netfront.Client.*.nupkg"));
            string version = Path.GetFileNameWithoutExtension(package)["Netfront.Client.".Length..];
            output.WriteLine($"packed {Path.GetFileName(package)}");

            string consumer = Path.Combine(work, "consumer");
            Directory.CreateDirectory(consumer);
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config><add key="globalPackagesFolder" value="{Path.Combine(work, "packages")}" /></config>
                  <packageSources>
                    <clear />
                    <add key="packed" value="{feed}" />
                    <add key="cache" value="{cache}" />
                  </packageSources>
                </configuration>
                """, ct);
            await File.WriteAllTextAsync(Path.Combine(consumer, "consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Netfront.Client" Version="{version}" />
                  </ItemGroup>
                </Project>
                """, ct);
            await File.WriteAllTextAsync(Path.Combine(consumer, "Program.cs"), ConsumerProgram, ct);
            await Dotnet(consumer, ct, "build", "-c", "Release", "-o", Path.Combine(work, "out"));

            // The exchange on a pool thread of its own, blocking reads bounded by timeouts: not on the
            // test framework's context, whose few threads a blocking socket read would hold up.
            await Task.Run(() => Exchange(Path.Combine(work, "out", "consumer.dll")), ct);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Runs the consumer against an in-process backend: its frame must reach the vif, a host frame must reach it.</summary>
    private static void Exchange(string consumerDll)
    {
        var backend = new InProcessBackend();
        var start = new ProcessStartInfo("dotnet", [consumerDll, backend.SocketPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        try
        {
            string? attached = ReadLine(process);
            Assert.True(attached?.StartsWith("attached ", StringComparison.Ordinal) == true, $"the consumer said '{attached}'");
            var host = backend.Host(attached!["attached ".Length..]);
            byte[] sent = FrontendDriver.HostReceive(host, TimeSpan.FromSeconds(30));
            Assert.Equal(60, sent.Length);
            Assert.Equal(0x42, sent[14]);
            Assert.Equal("sent", ReadLine(process));
            host.Send(Frames.Make(1, 0x43, 100));
            string? received = ReadLine(process);
            Assert.True(process.WaitForExit(30_000), "the consumer did not exit");
            Assert.True(process.ExitCode == 0, $"the consumer exited {process.ExitCode}: {process.StandardError.ReadToEnd()}");
            Assert.Equal($"received 100 {Frames.Make(1, 0x43, 100)[14]:x2}", received);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(); // stuck: an assertion above has failed the test already
            }
            backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static string? ReadLine(Process process)
    {
        var line = Task.Run(process.StandardOutput.ReadLine);
        Assert.True(line.Wait(TimeSpan.FromSeconds(30)), "the consumer printed nothing for 30 s");
        return line.Result;
    }

    private async Task Dotnet(string directory, CancellationToken ct, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(ct);
        Task<string> stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(ToolTimeout, ct);
        string text = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited {process.ExitCode}\n{text}");
        output.WriteLine($"dotnet {arguments[0]}: ok");
    }
}
