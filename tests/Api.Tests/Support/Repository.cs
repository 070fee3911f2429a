using System.Diagnostics;

namespace TenantBilling.Api.Tests.Support;

/// <summary>The repository the tests were built from: its files and its git index.</summary>
public static class Repository
{
    /// <summary>The folder that holds TenantBilling.sln, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string ReadText(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    /// <summary>Every file git tracks (or has staged), as paths relative to <see cref="Root"/>.</summary>
    public static IReadOnlyList<string> TrackedFiles()
    {
        var git = new ProcessStartInfo("git", "ls-files -z --cached")
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(git) ?? throw new InvalidOperationException("git could not be started.");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git ls-files failed in {Root}: {error}");
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TenantBilling.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No TenantBilling.sln above {AppContext.BaseDirectory}.");
    }
}
