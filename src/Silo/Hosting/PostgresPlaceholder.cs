namespace TenantBilling.Silo.Hosting;

// Replaced by the PostgreSQL branch (schema + providers).
public static class PostgresSchema
{
    public static Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default) => throw new NotSupportedException(connectionString.Length > 0 ? "PostgreSQL support is not merged yet." : string.Empty);
}

public static class PostgresHosting
{
    public static ISiloBuilder UsePostgres(this ISiloBuilder silo, string connectionString) => throw new NotSupportedException(connectionString);

    public static IClientBuilder UsePostgres(this IClientBuilder client, string connectionString) => throw new NotSupportedException(connectionString);
}
