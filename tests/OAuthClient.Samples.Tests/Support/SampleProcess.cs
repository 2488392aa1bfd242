using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace OAuthClient.Samples.Tests.Support;

/// <summary>
/// A built sample run as its own process, the way a user starts it in a terminal over SSH: no display, no <c>$BROWSER</c>,
/// and a home and temporary folder of its own, so no stored sign-in is reused and nothing is left behind.
/// </summary>
internal sealed partial class SampleProcess : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    // What would let a sample find a browser or settings on the machine that runs the tests.
    private static readonly string[] Unset = ["DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "WSL_DISTRO_NAME", "WSL_INTEROP"];

    private readonly Process _process;
    private readonly string _home;
    private readonly Lock _gate = new();
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource<string> Seen)> _waiters = [];

    private SampleProcess(Process process, string home)
    {
        _process = process;
        _home = home;
    }

    /// <summary>Gets everything the sample wrote so far, standard output and error interleaved by line.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet {sample}.dll</c> from the sample's build output.</summary>
    /// <param name="sample">The sample's project name, such as <c>InteractiveLogin</c>.</param>
    /// <param name="arguments">Its command line.</param>
    /// <param name="environment">Variables to set (a null value removes one) after the headless defaults.</param>
    public static SampleProcess Start(string sample, IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var home = Directory.CreateTempSubdirectory($"OAuthClient.Samples.Tests.{sample}.").FullName;
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        startInfo.ArgumentList.Add(PathOf(sample));
        foreach (var argument in arguments ?? [])
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in startInfo.Environment.Keys.Where(k => Unset.Contains(k) || k.StartsWith("OAUTHCLIENT", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["HOME"] = home;
        startInfo.Environment["TMPDIR"] = home;
        startInfo.Environment["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share");
        startInfo.Environment["XDG_CONFIG_HOME"] = Path.Combine(home, ".config");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var sampleProcess = new SampleProcess(process, home);
        process.OutputDataReceived += (_, e) => sampleProcess.Received(e.Data);
        process.ErrorDataReceived += (_, e) => sampleProcess.Received(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            sampleProcess.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sampleProcess;
    }

    /// <summary>Waits for a line that contains <paramref name="text"/> and returns it.</summary>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/> (60 s by default), or the sample exited first.</exception>
    public async Task<string> WaitForLineAsync(string text, TimeSpan? timeout = null)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_output.ToString().Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            _waiters.Add((text, seen));
        }

        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout ?? TimeSpan.FromSeconds(60)));
        return first == seen.Task
            ? await seen.Task
            : throw new TimeoutException($"{(first == exited ? "The sample exited" : "Timed out")} before writing '{text}'. Its output:\n{Output}");
    }

    /// <summary>Waits for the sample to exit by itself and returns its exit code.</summary>
    /// <exception cref="TimeoutException">It is still running after <paramref name="timeout"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The sample was still running after {timeout.TotalSeconds} s. Its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as <c>kill</c>, systemd or a container runtime does, and waits for the sample to exit.</summary>
    /// <returns>Its exit code, and the time from the signal to its exit.</returns>
    /// <exception cref="TimeoutException">It is still running 10 s after the signal.</exception>
    public async Task<(int ExitCode, TimeSpan Elapsed)> TerminateAsync()
    {
        var clock = Stopwatch.StartNew();
        if (Kill(_process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}. Output:\n{Output}");
        }

        var exitCode = await WaitForExitAsync(ExitTimeout);
        return (exitCode, clock.Elapsed);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(ExitTimeout);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the temporary folder is cleaned some other day.
        }
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private void Received(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.Append(line).Append('\n');
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>The build output of a sample, written into this assembly by the project file.</summary>
    private static string PathOf(string sample) =>
        typeof(SampleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "Sample:" + sample)?.Value
        ?? throw new ArgumentException($"No sample '{sample}' is referenced by the test project.", nameof(sample));

    /// <summary>The dotnet that runs these tests (the SDK sets DOTNET_HOST_PATH for its children), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
        : "dotnet";
}
