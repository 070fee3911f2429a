using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TenantBilling.TestSupport;

/// <summary>Free loopback ports, so test silos started side by side never clash.</summary>
public static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string FreeText() => Free().ToString(CultureInfo.InvariantCulture);
}
