using System.Text;

namespace OAuthClient;

/// <summary>The bytes of a token in the shared cache, before protection: a version, then the token's fields.</summary>
internal static class SharedTokenFormat
{
    private const byte Version = 1;

    public static byte[] Write(AccessToken token)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(token.Value);
            writer.Write(token.TokenType);
            writer.Write(token.ExpiresAt.UtcTicks);
            writer.Write(token.RefreshAt.UtcTicks);
            writer.Write(token.Scope is not null);
            if (token.Scope is not null)
            {
                writer.Write(token.Scope);
            }
        }

        return stream.ToArray();
    }

    /// <exception cref="FormatException">The bytes are not a token of this version.</exception>
    public static AccessToken Read(byte[] data)
    {
        try
        {
            using var stream = new MemoryStream(data, writable: false);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (reader.ReadByte() != Version)
            {
                throw new FormatException("Unknown shared token format version.");
            }

            var value = reader.ReadString();
            var tokenType = reader.ReadString();
            var expiresAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var refreshAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var scope = reader.ReadBoolean() ? reader.ReadString() : null;
            if (stream.Position != stream.Length)
            {
                throw new FormatException("Trailing bytes after the shared token.");
            }

            return new AccessToken(value, tokenType, expiresAt, refreshAt, scope);
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException or IOException)
        {
            throw new FormatException("The shared token is malformed.", ex);
        }
    }
}
