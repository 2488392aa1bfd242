using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace OAuthClient.Samples;

/// <summary>
/// What the server remembers about tokens: how many token requests (and token exchanges among them) each client
/// made, the fingerprints of the access tokens issued, and those of the access and refresh tokens revoked. Tokens
/// themselves are never kept.
/// </summary>
internal sealed class TokenLedger
{
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _exchanges = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _issued = new();
    private readonly ConcurrentDictionary<string, byte> _revoked = new(StringComparer.Ordinal);
    private int _unauthorized;

    public int UnauthorizedCount => Volatile.Read(ref _unauthorized);

    public void CountTokenRequest(string? clientId, bool tokenExchange)
    {
        Count(_requests, clientId);
        if (tokenExchange)
        {
            Count(_exchanges, clientId);
        }
    }

    public int TokenRequests(string clientId) => _requests.TryGetValue(clientId, out var n) ? n : 0;

    public int TokenExchangeRequests(string clientId) => _exchanges.TryGetValue(clientId, out var n) ? n : 0;

    public IReadOnlyDictionary<string, int> AllTokenRequests() => new Dictionary<string, int>(_requests, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> AllTokenExchangeRequests() => new Dictionary<string, int>(_exchanges, StringComparer.Ordinal);

    public void Issued(string accessToken)
    {
        _issued.Enqueue(Fingerprint(accessToken));
        while (_issued.Count > MaxRemembered && _issued.TryDequeue(out _))
        {
        }
    }

    public void RevokeAllIssued()
    {
        foreach (var fingerprint in _issued)
        {
            _revoked.TryAdd(fingerprint, 0);
        }
    }

    /// <summary>Revokes one access or refresh token (RFC 7009).</summary>
    /// <returns><see langword="true"/> when it was not revoked before.</returns>
    public bool Revoke(string token) => _revoked.TryAdd(Fingerprint(token), 0);

    public bool IsRevoked(string token) => !_revoked.IsEmpty && _revoked.ContainsKey(Fingerprint(token));

    public void CountUnauthorized() => Interlocked.Increment(ref _unauthorized);

    private static void Count(ConcurrentDictionary<string, int> counts, string? clientId) =>
        counts.AddOrUpdate(clientId ?? "(none)", 1, static (_, n) => n + 1);

    private static string Fingerprint(string token) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
}
