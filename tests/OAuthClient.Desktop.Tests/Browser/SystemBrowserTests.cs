using System.Diagnostics;

namespace OAuthClient.Desktop.Tests.Browser;

public sealed class SystemBrowserTests : IDisposable
{
    private static readonly Uri Url = new("https://login.example.com/connect/authorize?client_id=app&state=s%20x;rm%20-rf&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback");

    private readonly FakeEnvironment _environment = new();
    private readonly StringWriter _output = new();

    private SystemBrowser Browser => new(_output, _environment);

    public void Dispose() => _output.Dispose();

    [Fact]
    public async Task OpenAsync_BrowserVariable_RunsItFromPathWithTheUrlAsOneArgument()
    {
        _environment.Variables["BROWSER"] = "firefox";
        _environment.Variables["PATH"] = "/usr/local/bin:/usr/bin";
        _environment.Executables.Add("/usr/bin/firefox");

        await Browser.OpenAsync(Url, CancellationToken.None);

        var started = Assert.Single(_environment.Started);
        Assert.Equal("/usr/bin/firefox", started.FileName);
        Assert.Equal([Url.AbsoluteUri], started.ArgumentList);
        Assert.False(started.UseShellExecute);
        Assert.Empty(_output.ToString());
    }

    [Fact]
    public void Commands_BrowserVariableWithPercentSAndSeveralEntries_ReplacesItAndKeepsTheOrder()
    {
        _environment.Variables["BROWSER"] = "missing-browser:/opt/chrome/chrome --new-window %s";
        _environment.Variables["DISPLAY"] = ":0";
        _environment.Variables["PATH"] = "/usr/bin";
        _environment.Executables.UnionWith(["/opt/chrome/chrome", "/usr/bin/xdg-open"]);

        var commands = Browser.Commands(Url).ToList();

        Assert.Equal(["/opt/chrome/chrome", "/usr/bin/xdg-open"], commands.Select(c => c.FileName));
        Assert.Equal(["--new-window", Url.AbsoluteUri], commands[0].ArgumentList);
    }

    [Fact]
    public void CanOpen_SshSessionWithoutDisplayOrBrowserVariable_False()
    {
        _environment.Variables["PATH"] = "/usr/bin";
        _environment.Variables["SSH_CONNECTION"] = "10.0.0.1 51000 10.0.0.2 22";
        _environment.Executables.Add("/usr/bin/xdg-open");

        Assert.False(Browser.CanOpen);
    }

    [Fact]
    public void CanOpen_DisplayAndXdgOpen_True()
    {
        _environment.Variables["PATH"] = "/usr/bin";
        _environment.Variables["DISPLAY"] = ":0";
        _environment.Executables.Add("/usr/bin/xdg-open");

        Assert.True(Browser.CanOpen);
    }

    [Fact]
    public void FindExecutable_RelativeAndEmptyPathEntries_NeverSearched()
    {
        _environment.Variables["PATH"] = ":bin:./tools:/usr/bin";
        _environment.Executables.UnionWith(["xdg-open", "bin/xdg-open", "./tools/xdg-open", Path.Combine(Environment.CurrentDirectory, "bin", "xdg-open")]);

        Assert.Null(Browser.FindExecutable("xdg-open"));
    }

    [Fact]
    public void FindExecutable_RelativeCommandWithSlash_Refused()
    {
        _environment.Executables.Add("./evil/open");

        Assert.Null(Browser.FindExecutable("./evil/open"));
    }

    [Fact]
    public void Commands_LinuxWithDisplay_UsesXdgOpenFromPath()
    {
        _environment.Variables["DISPLAY"] = ":0";
        _environment.Variables["PATH"] = "/usr/local/bin:/usr/bin";
        _environment.Executables.Add("/usr/bin/xdg-open");

        var command = Assert.Single(Browser.Commands(Url));

        Assert.Equal("/usr/bin/xdg-open", command.FileName);
    }

    [Fact]
    public void Commands_Wsl_PrefersWslview()
    {
        _environment.Variables["WSL_DISTRO_NAME"] = "Debian";
        _environment.Variables["PATH"] = "/usr/bin";
        _environment.Executables.UnionWith(["/usr/bin/wslview", "/usr/bin/xdg-open"]);

        Assert.Equal(["/usr/bin/wslview", "/usr/bin/xdg-open"], Browser.Commands(Url).Select(c => c.FileName));
    }

    [Fact]
    public void Commands_MacOS_UsesOpen()
    {
        _environment.MacOS = true;
        _environment.Variables["PATH"] = "/usr/bin";
        _environment.Executables.Add("/usr/bin/open");

        var command = Assert.Single(Browser.Commands(Url));

        Assert.Equal("/usr/bin/open", command.FileName);
        Assert.Equal([Url.AbsoluteUri], command.ArgumentList);
    }

    [Fact]
    public void Commands_Windows_ShellExecutesTheUrl()
    {
        _environment.Windows = true;

        var command = Assert.Single(Browser.Commands(Url));

        Assert.True(command.UseShellExecute);
        Assert.Equal(Url.AbsoluteUri, command.FileName);
    }

    [Fact]
    public async Task OpenAsync_NoDisplayOverSsh_PrintsTheUrlAndStartsNothing()
    {
        _environment.Variables["PATH"] = "/usr/bin";
        _environment.Variables["SSH_CONNECTION"] = "10.0.0.1 22 10.0.0.2 22";
        _environment.Executables.Add("/usr/bin/xdg-open");

        await Browser.OpenAsync(Url, CancellationToken.None);

        Assert.Empty(_environment.Started);
        Assert.Contains(Url.AbsoluteUri, _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_LauncherFailsToStart_PrintsTheUrl()
    {
        _environment.Variables["DISPLAY"] = ":0";
        _environment.Variables["PATH"] = "/usr/bin";
        _environment.Executables.Add("/usr/bin/xdg-open");
        _environment.StartSucceeds = false;

        await Browser.OpenAsync(Url, CancellationToken.None);

        Assert.Single(_environment.Started);
        Assert.Contains(Url.AbsoluteUri, _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_NotHttp_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Browser.OpenAsync(new Uri("file:///etc/passwd"), CancellationToken.None));

        Assert.Empty(_environment.Started);
    }

    private sealed class FakeEnvironment : BrowserEnvironment
    {
        public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Executables { get; } = new(StringComparer.Ordinal);

        public List<ProcessStartInfo> Started { get; } = [];

        public bool Windows { get; set; }

        public bool MacOS { get; set; }

        public bool StartSucceeds { get; set; } = true;

        public override bool IsWindows => Windows;

        public override bool IsMacOS => MacOS;

        public override string? GetVariable(string name) => Variables.GetValueOrDefault(name);

        public override bool IsExecutable(string path) => Executables.Contains(path);

        public override bool Start(ProcessStartInfo startInfo)
        {
            Started.Add(startInfo);
            return StartSucceeds;
        }
    }
}
