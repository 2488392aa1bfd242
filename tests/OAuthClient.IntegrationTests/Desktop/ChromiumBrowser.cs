using System.Diagnostics;
using OAuthClient.Desktop;

namespace OAuthClient.IntegrationTests.Desktop;

/// <summary>
/// Headless Chromium as the user's browser: it follows the authorization server's redirect to the loopback
/// listener. Each launch gets a new profile directory; disposing kills the whole process tree and deletes them.
/// </summary>
public sealed class ChromiumBrowser : IBrowser, IAsyncDisposable
{
    private readonly string _executable;
    private readonly List<(Process Process, string Profile)> _launched = [];

    public ChromiumBrowser(string executable) => _executable = executable;

    /// <summary>Finds <c>chromium</c> (Debian) or <c>chromium-browser</c> in the absolute directories of PATH.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(Path.IsPathFullyQualified)
            .SelectMany(dir => new[] { Path.Combine(dir, "chromium"), Path.Combine(dir, "chromium-browser") })
            .FirstOrDefault(File.Exists);

    /// <summary>Gets the id and profile directory of each Chromium started, to check they are gone after disposal.</summary>
    public IReadOnlyList<(int ProcessId, string Profile)> Launched { get; private set; } = [];

    public Task OpenAsync(Uri url, CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("oauthclient-chromium-").FullName;
        var startInfo = new ProcessStartInfo(_executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-crash-reporter", "--disable-breakpad",
            $"--user-data-dir={profile}", url.AbsoluteUri,
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Chromium did not start.");
            _launched.Add((process, profile));
            Launched = [.. Launched, (process.Id, profile)];
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        catch
        {
            Directory.Delete(profile, recursive: true);
            throw;
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, profile) in _launched)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                process.Dispose();
                DeleteProfile(profile);
            }
        }
    }

    private static void DeleteProfile(string profile)
    {
        // Chromium's helpers may still be closing files for a moment after the kill.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(profile))
                {
                    Directory.Delete(profile, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(100);
            }
        }
    }
}
