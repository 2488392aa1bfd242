using System.Diagnostics;

namespace OAuthClient.Desktop;

/// <summary>Opens the system's default browser, or prints the URL when none can be started (SSH, no display).</summary>
/// <remarks>
/// Windows: shell execute. macOS: <c>open</c>. Linux and other Unix: each command of <c>$BROWSER</c>
/// (colon-separated, <c>%s</c> stands for the URL), then <c>wslview</c> under WSL, then <c>xdg-open</c> when
/// there is a display. Commands are looked up in the absolute directories of <c>PATH</c> only, never the
/// current directory, and the URL is passed as one argument: no shell ever parses it.
/// </remarks>
public sealed class SystemBrowser : IBrowser
{
    private readonly TextWriter? _output;
    private readonly BrowserEnvironment _environment;

    /// <summary>Initializes a new instance of the <see cref="SystemBrowser"/> class.</summary>
    /// <param name="output">Where the URL is printed when no browser starts; standard error when omitted.</param>
    public SystemBrowser(TextWriter? output = null)
        : this(output, BrowserEnvironment.Current)
    {
    }

    internal SystemBrowser(TextWriter? output, BrowserEnvironment environment)
    {
        _output = output;
        _environment = environment;
    }

    /// <summary>
    /// Gets whether a browser can be launched here: on Windows and macOS, through <c>$BROWSER</c>, <c>wslview</c> under WSL, or
    /// <c>xdg-open</c> with a display. Over SSH, in a container or on a build agent there is usually none: sign in with
    /// <see cref="InteractiveSignIn.SignInWithDeviceCodeAsync"/> instead of waiting for a redirect that never comes.
    /// </summary>
    public bool CanOpen => Commands(new Uri("https://localhost/")).Any();

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not an absolute http or https URL.</exception>
    public async Task OpenAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("Only absolute http and https URLs are opened.", nameof(url));
        }

        foreach (var startInfo in Commands(url))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_environment.Start(startInfo))
            {
                return;
            }
        }

        var output = _output ?? Console.Error;
        await output.WriteLineAsync("Could not open a browser. To sign in, open this address in a browser on this computer:").ConfigureAwait(false);
        await output.WriteLineAsync(url.AbsoluteUri).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the launches to try, in order; empty when nothing can be launched.</summary>
    internal IEnumerable<ProcessStartInfo> Commands(Uri url)
    {
        if (_environment.IsWindows)
        {
            yield return new ProcessStartInfo(url.AbsoluteUri) { UseShellExecute = true };
            yield break;
        }

        foreach (var entry in (_environment.GetVariable("BROWSER") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (FromBrowserVariable(entry, url) is { } startInfo)
            {
                yield return startInfo;
            }
        }

        string[] fallbacks = _environment.IsMacOS ? ["open"]
            : IsWsl() ? ["wslview", "xdg-open"]
            : HasDisplay() ? ["xdg-open"]
            : [];
        foreach (var command in fallbacks)
        {
            if (FindExecutable(command) is { } path)
            {
                yield return Launch(path, [url.AbsoluteUri]);
            }
        }
    }

    /// <summary>Finds <paramref name="command"/> in the absolute directories of PATH; a name with a slash must be an absolute path.</summary>
    internal string? FindExecutable(string command)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            return Path.IsPathFullyQualified(command) && _environment.IsExecutable(command) ? command : null;
        }

        foreach (var directory in (_environment.GetVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            // An empty or relative PATH entry means the current directory: never run a program from there.
            if (Path.IsPathFullyQualified(directory) && Path.Combine(directory, command) is var candidate && _environment.IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private ProcessStartInfo? FromBrowserVariable(string entry, Uri url)
    {
        var words = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (FindExecutable(words[0]) is not { } path)
        {
            return null;
        }

        var arguments = words.Skip(1).Select(w => w.Replace("%s", url.AbsoluteUri, StringComparison.Ordinal)).ToList();
        if (!words.Skip(1).Any(w => w.Contains("%s", StringComparison.Ordinal)))
        {
            arguments.Add(url.AbsoluteUri);
        }

        return Launch(path, arguments);
    }

    private static ProcessStartInfo Launch(string path, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(path) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    private bool IsWsl() => !string.IsNullOrEmpty(_environment.GetVariable("WSL_DISTRO_NAME")) || !string.IsNullOrEmpty(_environment.GetVariable("WSL_INTEROP"));

    private bool HasDisplay() => !string.IsNullOrEmpty(_environment.GetVariable("DISPLAY")) || !string.IsNullOrEmpty(_environment.GetVariable("WAYLAND_DISPLAY"));
}
