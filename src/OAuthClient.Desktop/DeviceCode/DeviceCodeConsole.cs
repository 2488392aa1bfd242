using System.Text;

namespace OAuthClient.Desktop;

/// <summary>
/// The default device prompt: where to go and the code to enter, on standard error; with a QR code of the address below
/// it when standard error is a terminal that can draw one, so that a phone can open the page without typing.
/// </summary>
/// <remarks>Redirected output (a file, a pipe, a CI log) gets the line alone: a QR code there is only noise.</remarks>
internal static class DeviceCodeConsole
{
    public static Task WriteAsync(DeviceCodePrompt prompt, CancellationToken cancellationToken) =>
        WriteAsync(prompt, Console.Error, drawQrCode: !Console.IsErrorRedirected && IsCapableTerminal(), cancellationToken);

    public static async Task WriteAsync(DeviceCodePrompt prompt, TextWriter writer, bool drawQrCode, CancellationToken cancellationToken)
    {
        var address = prompt.VerificationUriComplete ?? prompt.VerificationUri;
        var qrCode = drawQrCode ? TerminalQrCode.Render(address.AbsoluteUri) : null;
        var line =
            $"To sign in, open {prompt.VerificationUri} on any device and enter the code {prompt.UserCode}" +
            (prompt.VerificationUriComplete is { } complete ? $" (or open {complete})." : ".") +
            (qrCode is null ? "" : " Or scan the code below with a phone.") +
            $" The code expires at {prompt.ExpiresAt.ToLocalTime():t}.";
        await writer.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
        if (qrCode is not null)
        {
            await writer.WriteAsync(qrCode.AsMemory(), cancellationToken).ConfigureAwait(false);
            await writer.WriteLineAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Tells whether <paramref name="encoding"/> can carry the block characters a QR code is drawn with.</summary>
    public static bool CanDrawBlocks(Encoding encoding) =>
        string.Equals(encoding.GetString(encoding.GetBytes(TerminalQrCode.Blocks)), TerminalQrCode.Blocks, StringComparison.Ordinal);

    private static bool IsCapableTerminal() =>
        !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal) && CanDrawBlocks(Console.OutputEncoding);
}
