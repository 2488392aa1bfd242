using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OAuthClient.Samples;

/// <summary>
/// The device authorization grant (RFC 8628) through OpenIddict's own endpoints. OpenIddict issues the device and user
/// codes as self-contained tokens and, with a database, keeps their status (pending, approved, denied) in token entries.
/// Degraded mode has no entries, so this class keeps them in memory: the client gets an opaque device code and a short
/// user code, each pointing at the token OpenIddict made, and the verification page's sign-in stores the approved
/// device code that the token endpoint then redeems.
/// </summary>
internal sealed class DevDeviceFlow(DevAuthorizationServerOptions options)
{
    public const string DeviceAuthorizationPath = "connect/device";
    public const string VerificationPath = "connect/verify";
    private const string EntryProperty = "dev:device_entry";

    // Consonants only (RFC 8628 §6.1). A typed code is reduced to these, upper-cased, so "bcdf-ghjk" still matches.
    private const string UserCodeCharset = "BCDFGHJKLMNPQRSTVWXZ";
    private const int UserCodeLength = 8;

    private readonly ConcurrentDictionary<string, Entry> _byDeviceCode = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> _byUserCode = new(StringComparer.Ordinal);

    public void Use(OpenIddictServerBuilder server)
    {
        server.SetDeviceAuthorizationEndpointUris(DeviceAuthorizationPath).SetEndUserVerificationEndpointUris(VerificationPath);
        server.AllowDeviceAuthorizationFlow();
        server.SetDeviceCodeLifetime(options.DeviceCodeLifetime).SetUserCodeLifetime(options.DeviceCodeLifetime);

        server.AddEventHandler<ValidateDeviceAuthorizationRequestContext>(h => h.UseInlineHandler(ValidateDeviceAuthorizationRequest));
        server.AddEventHandler<ValidateEndUserVerificationRequestContext>(h => h.UseInlineHandler(static _ => default));
        server.AddEventHandler<HandleEndUserVerificationRequestContext>(h => h.UseInlineHandler(HandleVerification));
        server.AddEventHandler<ApplyDeviceAuthorizationResponseContext>(h => h.UseInlineHandler(context =>
        {
            if (context.Response.Error is null)
            {
                context.Response[Parameters.Interval] = (long)options.DeviceCodeInterval.TotalSeconds;
            }

            return default;
        }));
        server.AddEventHandler<ApplyEndUserVerificationResponseContext>(h => h.UseInlineHandler(async context =>
        {
            var http = context.Transaction.GetHttpRequest()!.HttpContext;
            await (context.Response.Error is { } error
                ? DevVerificationPage.WriteResultAsync(http, HttpStatusCode.BadRequest, $"The request failed: {error}.")
                : DevVerificationPage.WriteResultAsync(http, HttpStatusCode.OK, "Approved. You may close this window and return to your device."));
            context.HandleRequest();
        }));
        server.AddEventHandler<GenerateTokenContext>(h => h
            .UseInlineHandler(OnGenerated)
            .SetOrder(OpenIddictServerHandlers.Protection.GenerateIdentityModelToken.Descriptor.Order + 1));
        server.AddEventHandler<ValidateTokenContext>(h => h
            .UseInlineHandler(OnValidating)
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateIdentityModelToken.Descriptor.Order - 1));
    }

    private static ValueTask ValidateDeviceAuthorizationRequest(ValidateDeviceAuthorizationRequestContext context)
    {
        if (!string.Equals(context.ClientId, DevClients.InteractiveClientId, StringComparison.Ordinal))
        {
            context.Reject(Errors.InvalidClient, "Only the public client uses the device authorization endpoint.");
        }
        else if (!string.IsNullOrEmpty(context.Request.ClientSecret))
        {
            context.Reject(Errors.InvalidClient, "A public client sends no secret.");
        }
        else if (context.Request.GetScopes().Contains(DevClients.DownstreamReadScope, StringComparer.Ordinal))
        {
            context.Reject(Errors.InvalidScope, "The downstream.read scope is granted by token exchange only.");
        }

        return default;
    }

    private async ValueTask HandleVerification(HandleEndUserVerificationRequestContext context)
    {
        var http = context.Transaction.GetHttpRequest()!.HttpContext;
        var entry = context.Transaction.Properties.TryGetValue(EntryProperty, out var value) ? value as Entry : null;
        var approve = context.Request.GetParameter("approve") is not null;
        var deny = context.Request.GetParameter("deny") is not null;
        if (!HttpMethods.IsPost(http.Request.Method) || approve == deny || entry is null || context.UserCodePrincipal is null)
        {
            // GET, a post that is neither Approve nor Deny, or a code that is unknown, expired or answered: the form again.
            var message = context.Request.UserCode is { Length: > 0 } && entry is null ? "This code is not valid. Check it and try again." : null;
            await DevVerificationPage.WriteFormAsync(http, context.Request.UserCode, message);
            context.HandleRequest();
            return;
        }

        if (deny)
        {
            entry.Status = Status.Denied;
            await DevVerificationPage.WriteResultAsync(http, HttpStatusCode.OK, "Denied. The device will not be signed in.");
            context.HandleRequest();
            return;
        }

        // As the authorization endpoint's SignInTestUser: alice, consenting to the scopes the device asked for.
        context.SignIn(DevServerHandlers.CreatePrincipal(
            DevClients.TestUserSubject, DevClients.InteractiveClientId, context.UserCodePrincipal.GetScopes(), [DevClients.ApiAudience, DevClients.ServiceClientId]));
    }

    private ValueTask OnGenerated(GenerateTokenContext context)
    {
        if (context.TokenType == TokenTypeIdentifiers.Private.DeviceCode && context.EndpointType == OpenIddictServerEndpointType.DeviceAuthorization)
        {
            var entry = new Entry(context.Request!.ClientId!, context.Token!, options.TimeProvider.GetUtcNow() + options.DeviceCodeLifetime);
            var deviceCode = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
            _byDeviceCode[deviceCode] = entry;
            context.Transaction.Properties[EntryProperty] = entry;
            context.Token = deviceCode;
        }
        else if (context.TokenType == TokenTypeIdentifiers.Private.UserCode
            && context.Transaction.Properties.TryGetValue(EntryProperty, out var value) && value is Entry entry)
        {
            string userCode;
            do
            {
                userCode = RandomNumberGenerator.GetString(UserCodeCharset, UserCodeLength);
            }
            while (!_byUserCode.TryAdd(userCode, entry));

            entry.UserCodeToken = context.Token!;
            context.Token = userCode;
        }
        else if (context.TokenType == TokenTypeIdentifiers.Private.DeviceCode && context.EndpointType == OpenIddictServerEndpointType.EndUserVerification
            && context.Transaction.Properties.TryGetValue(EntryProperty, out var approved) && approved is Entry approvedEntry)
        {
            // The device code OpenIddict makes at the verification sign-in carries the user: the token endpoint redeems it.
            approvedEntry.DeviceCodeToken = context.Token!;
            approvedEntry.Status = Status.Approved;
        }

        return default;
    }

    private ValueTask OnValidating(ValidateTokenContext context)
    {
        if (context.Token is not { Length: > 0 } token)
        {
            return default;
        }

        if (context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.UserCode) && _byUserCode.TryGetValue(NormalizeUserCode(token), out var byUser)
            && byUser.Status == Status.Pending && byUser.UserCodeToken is { } userCodeToken && options.TimeProvider.GetUtcNow() < byUser.ExpiresAt)
        {
            context.Transaction.Properties[EntryProperty] = byUser;
            context.Token = userCodeToken;
        }
        else if (context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.DeviceCode) && _byDeviceCode.TryGetValue(token, out var byDevice))
        {
            if (!string.Equals(context.Request?.ClientId, byDevice.ClientId, StringComparison.Ordinal))
            {
                // Another client's code: refused without touching it, so a caller that learned it cannot burn it.
                context.Reject(Errors.InvalidGrant, "The device code was issued to another client.");
                return default;
            }

            var now = options.TimeProvider.GetUtcNow();
            var previousPoll = byDevice.LastPolledAt;
            byDevice.LastPolledAt = now;
            if (now >= byDevice.ExpiresAt)
            {
                context.Reject(Errors.ExpiredToken, "The device code has expired.");
            }
            else if (previousPoll is { } previous && now - previous < options.DeviceCodeInterval)
            {
                // RFC 8628 §3.5: polled sooner than the interval allows. OpenIddict leaves this to the application.
                context.Reject(Errors.SlowDown, "The client polls faster than the interval allows.");
            }
            else if (byDevice.Status == Status.Pending)
            {
                context.Reject(Errors.AuthorizationPending, "The user has not yet approved or denied the request.");
            }
            else if (byDevice.Status == Status.Denied)
            {
                context.Reject(Errors.AccessDenied, "The user denied the request.");
            }
            else if (_byDeviceCode.TryRemove(token, out _))
            {
                // Approved: redeemed once, as OpenIddict marks a device code entry redeemed.
                context.Token = byDevice.DeviceCodeToken;
            }
        }

        return default;
    }

    private static string NormalizeUserCode(string typed) =>
        string.Concat(typed.ToUpperInvariant().Where(static c => UserCodeCharset.Contains(c, StringComparison.Ordinal)));

    private enum Status
    {
        Pending,
        Approved,
        Denied,
    }

    private sealed class Entry(string clientId, string deviceCodeToken, DateTimeOffset expiresAt)
    {
        public string ClientId { get; } = clientId;

        public string DeviceCodeToken { get; set; } = deviceCodeToken;

        public string? UserCodeToken { get; set; }

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public DateTimeOffset? LastPolledAt { get; set; }

        public Status Status { get; set; }
    }
}
