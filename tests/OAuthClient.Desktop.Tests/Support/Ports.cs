using System.Net;
using System.Net.Sockets;

namespace OAuthClient.Desktop.Tests.Support;

public static class Ports
{
    /// <summary>Tells whether 127.0.0.1:<paramref name="port"/> can be bound again, which proves the listener let it go.</summary>
    public static bool IsFree(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
