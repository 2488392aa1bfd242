using System.Text.Json;
using Duende.IdentityModel.Client;

namespace OAuthClient.Internal;

/// <summary>The token endpoint's device authorization request (RFC 8628 §3.1), on the same backchannel, authentication and deadline.</summary>
internal sealed partial class TokenEndpoint
{
    // RFC 8628 §3.2: 5 seconds when the server names no interval; bounds against a server that names an absurd one.
    private static readonly TimeSpan DefaultDeviceInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxDeviceInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxDeviceLifetime = TimeSpan.FromHours(1);

    // RFC 8628 §6.1 has users type the code: eight characters or so; far more is not a code a user can enter.
    private const int MaxUserCodeLength = 64;

    /// <summary>Starts a device authorization: asks the server for a device code and the user code to show.</summary>
    /// <exception cref="TokenRequestException">The server has no device authorization endpoint, refused, or answered something unusable.</exception>
    public async Task<DeviceAuthorization> AuthorizeDeviceAsync(string? scope, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_settings.TokenRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var server = await GetServerAsync(linked.Token).ConfigureAwait(false);
        var endpoint = server.DeviceAuthorizationEndpoint ?? throw new TokenRequestException(
            $"Client '{ClientName}' cannot sign in with a device code: the server names no device_authorization_endpoint " +
            "(RFC 8628) in its discovery document. Sign in with the browser, or configure DeviceAuthorizationEndpoint.",
            ClientName, _settings.Authority);

        DeviceAuthorizationResponse response;
        try
        {
            using var request = new DeviceAuthorizationRequest { Address = endpoint.AbsoluteUri, Scope = scope };
            foreach (var (name, value) in parameters)
            {
                request.Parameters.Add(name, value);
            }

            await _authenticator.ApplyAsync(request, server.TokenEndpoint, Issuer(server), linked.Token).ConfigureAwait(false);
            response = await _backchannel.Invoker.RequestDeviceAuthorizationAsync(request, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TokenRequestException(
                $"Client '{ClientName}' could not start a device sign-in at {endpoint} within {_settings.TokenRequestTimeout} (TokenRequestTimeout).",
                ClientName, endpoint, innerException: ex);
        }

        using var answered = response;
        if (Backchannel.FollowedRedirect(response.HttpResponse, endpoint, out var status, out var target))
        {
            throw RedirectRefused(endpoint, status, target);
        }

        return ReadDeviceAuthorization(response, endpoint);
    }

    private DeviceAuthorization ReadDeviceAuthorization(DeviceAuthorizationResponse response, Uri endpoint)
    {
        if (!HasReadableBody(response))
        {
            throw DeviceFailed(endpoint, response, "the answer is JSON that is not a JSON object");
        }

        if (response.IsError)
        {
            var (error, description) = ErrorOf(response);
            var status = response.HttpResponse?.StatusCode;
            Log.TokenRequestFailed(_logger, ClientName, endpoint, (int?)status, error);
            return error is { Length: > 0 }
                ? throw Refused($"start a device sign-in at {endpoint}", endpoint, status, error, description)
                : throw DeviceFailed(endpoint, response, response.Exception is JsonException ? "the answer is not JSON" : "no device authorization");
        }

        // What the user is shown must be a web address (a server's javascript: or file: URI is not) with no user info to
        // disguise its host (https://login.example.com@evil.example/), and a short printable code: it goes to a terminal,
        // where escape sequences, line breaks and bidirectional overrides rewrite what the user reads.
        if (string.IsNullOrEmpty(response.DeviceCode) || !IsPrintableCode(response.UserCode) || !IsWebAddress(response.VerificationUri, out var verification))
        {
            throw DeviceFailed(endpoint, response, "the answer lacks device_code, a short printable user_code or an http(s) verification_uri without user info");
        }

        var complete = IsWebAddress(response.VerificationUriComplete, out var c) ? c : null;
        var lifetime = response.ExpiresIn is > 0 ? TimeSpan.FromSeconds(response.ExpiresIn.Value) : TimeSpan.FromMinutes(5);
        var interval = response.Interval is > 0 ? TimeSpan.FromSeconds(response.Interval) : DefaultDeviceInterval;
        return new DeviceAuthorization
        {
            DeviceCode = response.DeviceCode,
            UserCode = response.UserCode,
            VerificationUri = verification!,
            VerificationUriComplete = complete,
            ExpiresIn = lifetime < MaxDeviceLifetime ? lifetime : MaxDeviceLifetime,
            Interval = interval < MaxDeviceInterval ? interval : MaxDeviceInterval,
        };
    }

    private static bool IsWebAddress(string? value, out Uri? uri) =>
        Uri.TryCreate(value, UriKind.Absolute, out uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.UserInfo.Length == 0;

    private static bool IsPrintableCode([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxUserCodeLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                return false;
            }
        }

        return true;
    }

    private TokenRequestException DeviceFailed(Uri endpoint, ProtocolResponse response, string problem)
    {
        var status = response.HttpResponse?.StatusCode;
        Log.TokenRequestFailed(_logger, ClientName, endpoint, (int?)status, null);
        return new TokenRequestException(
            $"Client '{ClientName}' could not start a device sign-in at {endpoint}: {problem}.", ClientName, endpoint, status, innerException: response.Exception);
    }
}
