namespace OAuthClient.Desktop;

/// <summary>How <see cref="InteractiveSignIn.SignInAsync()"/> signs the user in.</summary>
public enum SignInMode
{
    /// <summary>
    /// The browser when one can be opened; a device code (RFC 8628) when none can (no display, an SSH session, or the
    /// <see cref="IBrowser"/> failed) and the server supports it.
    /// </summary>
    Auto = 0,

    /// <summary>The browser and the loopback redirect (RFC 8252) only; with no browser, the address to open is printed.</summary>
    Browser = 1,

    /// <summary>A device code only: the user signs in on any device with a browser.</summary>
    DeviceCode = 2,
}
