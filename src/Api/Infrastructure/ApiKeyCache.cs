using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using TenantBilling.Grains.Accounts;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Infrastructure;

/// <summary>Where the cache learns about keys: the directory of live key ids and each key's own grain.</summary>
public interface IApiKeySource
{
    /// <summary>The live key ids, or null when they are still at <paramref name="knownVersion"/>.</summary>
    Task<ApiKeyIdSet?> GetKeyIdsIfChangedAsync(long knownVersion);

    /// <summary>The key's account when the secret matches and the key is not revoked; else null.</summary>
    Task<string?> AuthenticateAsync(string keyId, string secretHash);
}

internal sealed class GrainApiKeySource(IGrainFactory grains) : IApiKeySource
{
    public Task<ApiKeyIdSet?> GetKeyIdsIfChangedAsync(long knownVersion) =>
        grains.GetGrain<IApiKeyDirectoryGrain>(GrainKeys.ApiKeyDirectory).GetIfChangedAsync(knownVersion);

    public Task<string?> AuthenticateAsync(string keyId, string secretHash) =>
        grains.GetGrain<IApiKeyGrain>(keyId).AuthenticateAsync(secretHash);
}

/// <summary>
/// Account keys as this API process knows them, so that authentication needs neither the key's grain
/// (which may live on a silo that just died) nor the database on every request.
/// <list type="bullet">
/// <item>The ids of all live keys are held here and refreshed every <see cref="AuthOptions.KeyListRefreshPeriod"/>
/// (5 s). A presented id that is not among them waits for one refresh (at most one per second for the
/// whole process, shared by every waiting request: a just-issued key works) and is then refused. So a
/// flood of made-up keys never loads a grain or touches the database.</item>
/// <item>A key validated by its grain is trusted for <see cref="AuthOptions.KeyCacheDuration"/> (30 s), then
/// validated again.</item>
/// </list>
/// A revoked key is refused at once by the process that revoked it, by every other at its next id refresh
/// (within 5 s), and in any case once its validation is older than the cache time, whatever is reachable.
/// </summary>
public sealed partial class ApiKeyCache(IApiKeySource source, IOptions<AuthOptions> options, TimeProvider time, ILogger<ApiKeyCache> logger)
{
    /// <summary>The most often a request for an unknown id makes this process re-read the ids.</summary>
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private volatile KeyIds? _ids;
    private Task? _pendingRefresh;
    private DateTimeOffset _lastRefreshStarted = DateTimeOffset.MinValue;

    private sealed record KeyIds(long Version, FrozenSet<string> Ids);

    private sealed record Validated(string SecretHash, string AccountId, DateTimeOffset ValidatedAt);

    /// <summary>The account of the key, or null when the key is unknown, revoked or its secret is wrong.</summary>
    /// <exception cref="Exception">The ids were never loaded and the cluster can't be reached (a 503).</exception>
    public async Task<string?> AuthenticateAsync(string keyId, string secretHash)
    {
        if (!await IsLiveAsync(keyId))
        {
            _validated.TryRemove(keyId, out _);
            return null;
        }

        var now = time.GetUtcNow();
        if (_validated.TryGetValue(keyId, out var known)
            && now - known.ValidatedAt < options.Value.KeyCacheDuration
            && ApiKeys.HashesMatch(known.SecretHash, secretHash))
        {
            return known.AccountId;
        }

        var accountId = await source.AuthenticateAsync(keyId, secretHash);
        if (accountId is null)
        {
            return null;
        }

        _validated[keyId] = new Validated(secretHash, accountId, now);
        return accountId;
    }

    /// <summary>Forgets a key at once (this process revoked it).</summary>
    public void Forget(string keyId) => _validated.TryRemove(keyId, out _);

    /// <summary>Reads the live ids when they changed. Called every refresh period, and for unknown ids.</summary>
    public async Task RefreshAsync()
    {
        var current = _ids;
        if (await source.GetKeyIdsIfChangedAsync(current?.Version ?? -1) is { } changed)
        {
            _ids = new KeyIds(changed.Version, changed.KeyIds.ToFrozenSet(StringComparer.Ordinal));
        }
    }

    private async Task<bool> IsLiveAsync(string keyId)
    {
        if (_ids?.Ids.Contains(keyId) == true)
        {
            return true;
        }

        // Unknown here: maybe issued since the last refresh. Wait for a refresh that started after this
        // request arrived (shared with every other request waiting for one), then decide.
        var arrived = time.GetUtcNow();
        while (true)
        {
            var (refresh, startedAt) = RefreshSince(arrived);
            try
            {
                await refresh;
            }
            catch (Exception exception) when (_ids is not null && ClusterFailures.IsTransient(exception))
            {
                LogRefreshFailed(logger, exception.GetType().Name, exception.Message);
            }

            if (_ids?.Ids.Contains(keyId) == true)
            {
                return true;
            }

            if (startedAt >= arrived || _ids is null)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The last refresh when it started at or after <paramref name="arrived"/>, the one in flight, or a new
    /// one no sooner than <see cref="MinRefreshInterval"/> after the last.
    /// </summary>
    private (Task Refresh, DateTimeOffset StartsAt) RefreshSince(DateTimeOffset arrived)
    {
        lock (_gate)
        {
            if (_pendingRefresh is { } pending && (!pending.IsCompleted || _lastRefreshStarted >= arrived))
            {
                return (pending, _lastRefreshStarted);
            }

            var now = time.GetUtcNow();
            var startsAt = _lastRefreshStarted + MinRefreshInterval > now ? _lastRefreshStarted + MinRefreshInterval : now;
            _lastRefreshStarted = startsAt;
            _pendingRefresh = RefreshAtAsync(startsAt - now);
            return (_pendingRefresh, startsAt);
        }
    }

    private async Task RefreshAtAsync(TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time);
        }

        await RefreshAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the API key ids ({Error}: {Message}); using the ones known")]
    private static partial void LogRefreshFailed(ILogger logger, string error, string message);
}

/// <summary>Refreshes <see cref="ApiKeyCache"/>'s key ids every <see cref="AuthOptions.KeyListRefreshPeriod"/>.</summary>
internal sealed partial class ApiKeyRefresher(ApiKeyCache cache, ClusterConnection connection, IOptions<AuthOptions> options, TimeProvider time, ILogger<ApiKeyRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.KeyListRefreshPeriod, time, stoppingToken);
                if (connection.IsOpen)
                {
                    await cache.RefreshAsync();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (ClusterFailures.IsTransient(exception))
            {
                LogRefreshFailed(logger, exception.GetType().Name, exception.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the API key ids ({Error}: {Message}); trying again")]
    private static partial void LogRefreshFailed(ILogger logger, string error, string message);
}

public static class ApiKeyCacheHosting
{
    public static IServiceCollection AddApiKeyCache(this IServiceCollection services)
    {
        services.AddSingleton<IApiKeySource, GrainApiKeySource>();
        services.AddSingleton<ApiKeyCache>();
        services.AddHostedService<ApiKeyRefresher>();
        return services;
    }
}
