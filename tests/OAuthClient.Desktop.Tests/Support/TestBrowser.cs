using System.Collections.Concurrent;

namespace OAuthClient.Desktop.Tests.Support;

/// <summary>
/// Plays the user and the browser: reads the authorize URL, and sends the callback the test wants to the
/// redirect URI over a real loopback connection, as a GET or a form_post.
/// </summary>
public sealed class TestBrowser : IBrowser
{
    public const string Code = "auth-code-8f2c";

    private readonly AuthServerStub? _server;

    public TestBrowser(AuthServerStub? server = null) => _server = server;

    public ConcurrentQueue<Uri> Opened { get; } = new();

    /// <summary>Gets or sets the callback parameters for an authorize request; <see langword="null"/> sends nothing (a closed tab).</summary>
    public Func<IReadOnlyDictionary<string, string>, Dictionary<string, string>?> Respond { get; set; } = DefaultResponse;

    public bool FormPost { get; set; }

    /// <summary>Gets or sets what <see cref="IBrowser.CanOpen"/> says.</summary>
    public bool CanOpen { get; set; } = true;

    /// <summary>Gets or sets an exception <see cref="OpenAsync"/> throws, as a browser that fails to start.</summary>
    public Exception? Fails { get; set; }

    public string? LastPage { get; private set; }

    public IReadOnlyDictionary<string, string> LastQuery => AuthServerStub.Form(Opened.Last().Query.TrimStart('?'));

    public static Dictionary<string, string> DefaultResponse(IReadOnlyDictionary<string, string> query) =>
        new() { ["code"] = Code, ["state"] = query["state"], ["iss"] = AuthServerStub.Issuer };

    public async Task OpenAsync(Uri url, CancellationToken cancellationToken)
    {
        Opened.Enqueue(url);
        if (Fails is { } failure)
        {
            throw failure;
        }

        var query = AuthServerStub.Form(url.Query.TrimStart('?'));
        if (_server is not null && query.TryGetValue("request_uri", out var requestUri) && _server.Pushed.TryRemove(requestUri, out var pushed))
        {
            // A pushed request (RFC 9126): the server looks its parameters up by the request URI.
            query = new Dictionary<string, string>(pushed);
        }

        if (_server is not null && query.TryGetValue("nonce", out var nonce))
        {
            _server.Nonce = nonce;
        }

        if (Respond(query) is not { } parameters)
        {
            return;
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var redirect = new Uri(query["redirect_uri"]);
        using var response = FormPost
            ? await client.PostAsync(redirect, new FormUrlEncodedContent(parameters), cancellationToken)
            : await client.GetAsync(new UriBuilder(redirect) { Query = Encode(parameters) }.Uri, cancellationToken);
        LastPage = await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private static string Encode(Dictionary<string, string> parameters) =>
        string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
}
