using Microsoft.Extensions.Logging;

namespace TenantBilling.Silo.Hosting;

/// <summary>
/// Applies <see cref="PostgresSchema"/> at the very first silo lifecycle stage, before the membership
/// table, grain storage and reminder table read their statements from <c>OrleansQuery</c>.
/// </summary>
internal sealed partial class PostgresSchemaInstaller(string connectionString, ILogger<PostgresSchemaInstaller> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresSchemaInstaller), ServiceLifecycleStage.First, ApplyAsync);

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await PostgresSchema.ApplyAsync(connectionString, cancellationToken).ConfigureAwait(false);
        LogSchemaApplied();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Orleans PostgreSQL schema applied")]
    private partial void LogSchemaApplied();
}
