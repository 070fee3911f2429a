using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TenantBilling.TestSupport;

/// <summary>Free loopback ports, so test silos started side by side never clash.</summary>
public static class Ports
{
    /// <summary>
    /// Ports are taken below Linux's ephemeral range (32768 and up): a port the kernel handed out there
    /// can be given to some process's outgoing connection (a silo's, a client's) before our process binds it.
    /// </summary>
    private const int First = 20000;
    private const int Last = 32767;

    /// <summary>Ports handed out by this process: a released port is never handed out twice.</summary>
    private static readonly HashSet<int> HandedOut = [];

    public static int Free()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(First, Last + 1);
            lock (HandedOut)
            {
                if (!HandedOut.Add(port))
                {
                    continue;
                }
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        using var any = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        return ((IPEndPoint)any.LocalEndpoint).Port;
    }

    public static string FreeText() => Free().ToString(CultureInfo.InvariantCulture);
}
