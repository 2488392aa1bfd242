using System.Diagnostics;

namespace OAuthClient.Desktop;

/// <summary>What <see cref="SystemBrowser"/> reads from and does to the machine, so tests can fake all of it.</summary>
internal class BrowserEnvironment
{
    public static BrowserEnvironment Current { get; } = new();

    public virtual bool IsWindows => OperatingSystem.IsWindows();

    public virtual bool IsMacOS => OperatingSystem.IsMacOS();

    public virtual string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);

    /// <summary>Tells whether <paramref name="path"/> is a file the user may run.</summary>
    public virtual bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        return OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }

    /// <summary>Starts the process without waiting for it; <see langword="false"/> when it could not be started.</summary>
    public virtual bool Start(ProcessStartInfo startInfo)
    {
        try
        {
            using var process = Process.Start(startInfo);
            return process is not null || startInfo.UseShellExecute;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            return false;
        }
    }
}
