using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.Tests.Support;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Tests;

/// <summary>How long a validated account key is trusted, how a revocation gets through, and what unknown keys cost.</summary>
public sealed class ApiKeyCacheTests
{
    private static readonly TimeSpan CacheTime = new AuthOptions().KeyCacheDuration;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 15, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeKeySource _source = new();

    [Fact]
    public async Task A_validated_key_is_trusted_for_the_cache_time_so_a_revocation_not_yet_seen_in_the_ids_counts_once_it_has_passed()
    {
        var cache = Cache();
        _source.Issue("k1", "hash-1", "acme");
        await cache.RefreshAsync();
        Assert.Equal("acme", await cache.AuthenticateAsync("k1", Hash("hash-1")));
        _source.RevokeInGrainOnly("k1");

        _time.Advance(CacheTime - TimeSpan.FromMilliseconds(1));
        var beforeExpiry = await cache.AuthenticateAsync("k1", Hash("hash-1"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var atExpiry = await cache.AuthenticateAsync("k1", Hash("hash-1"));

        Assert.Equal("acme", beforeExpiry);
        Assert.Null(atExpiry);
        Assert.Equal(2, _source.KeyLookups);
    }

    [Fact]
    public async Task A_revocation_is_seen_at_the_next_id_refresh_without_asking_the_key()
    {
        var cache = Cache();
        _source.Issue("k1", "hash-1", "acme");
        await cache.RefreshAsync();
        Assert.Equal("acme", await cache.AuthenticateAsync("k1", Hash("hash-1")));

        _source.Revoke("k1");
        await cache.RefreshAsync();

        Assert.Null(await cache.AuthenticateAsync("k1", Hash("hash-1")));
        Assert.Equal(1, _source.KeyLookups);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_even_while_the_key_is_cached()
    {
        var cache = Cache();
        _source.Issue("k1", "hash-1", "acme");
        await cache.RefreshAsync();
        Assert.Equal("acme", await cache.AuthenticateAsync("k1", Hash("hash-1")));

        Assert.Null(await cache.AuthenticateAsync("k1", Hash("hash-2")));
    }

    [Fact]
    public async Task A_flood_of_unknown_keys_asks_no_key_and_reads_the_ids_at_most_once_a_second()
    {
        var cache = Cache();
        _source.Issue("k1", "hash-1", "acme");
        await cache.RefreshAsync();
        var readsBefore = _source.IdReads;

        var first = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => cache.AuthenticateAsync(RandomId(), Hash("x"))));
        var readsInFirstSecond = _source.IdReads - readsBefore;
        _time.Advance(ApiKeyCache.MinRefreshInterval);
        var second = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => cache.AuthenticateAsync(RandomId(), Hash("x"))));

        Assert.All(first.Concat(second), Assert.Null);
        Assert.Equal(0, _source.KeyLookups);
        Assert.Equal(1, readsInFirstSecond);
        Assert.Equal(2, _source.IdReads - readsBefore);
    }

    [Fact]
    public async Task A_key_issued_since_the_last_refresh_works_on_its_first_request()
    {
        var cache = Cache();
        await cache.RefreshAsync();

        _source.Issue("k2", "hash-2", "acme");

        Assert.Equal("acme", await cache.AuthenticateAsync("k2", Hash("hash-2")));
    }

    [Fact]
    public async Task Ids_that_were_never_read_because_the_cluster_is_unreachable_make_the_request_unavailable()
    {
        var cache = Cache();
        _source.Unreachable = true;

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => cache.AuthenticateAsync("k1", Hash("hash-1")));

        Assert.True(ClusterFailures.IsTransient(failure));
    }

    [Fact]
    public async Task Ids_that_can_not_be_read_again_are_used_as_last_read()
    {
        var cache = Cache();
        _source.Issue("k1", "hash-1", "acme");
        await cache.RefreshAsync();
        _source.Unreachable = true;
        _source.KeysReachable = true;

        Assert.Equal("acme", await cache.AuthenticateAsync("k1", Hash("hash-1")));
        Assert.Null(await cache.AuthenticateAsync(RandomId(), Hash("x")));
    }

    [Fact]
    public async Task Through_the_api_a_flood_of_made_up_well_formed_keys_calls_no_key_grain()
    {
        var calls = new GrainCallCounter();
        await using var api = new ApiFactory().WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services => services.AddSingleton<IIncomingGrainCallFilter>(calls)));
        using var operatorClient = api.CreateClient();
        operatorClient.DefaultRequestHeaders.Authorization = new("Bearer", ApiFactory.OperatorKey);
        var accountId = await Seed.AccountAsync(operatorClient);
        var (_, key) = await Seed.KeyAsync(operatorClient, accountId);
        await (await ClientWith(api, key).GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK);
        var keyCallsBefore = calls.Count(typeof(IApiKeyGrain));
        var directoryCallsBefore = calls.Count(typeof(IApiKeyDirectoryGrain));
        var started = TimeProvider.System.GetTimestamp();

        var answers = await Task.WhenAll(Enumerable.Range(0, 500).Select(async _ =>
            (await ClientWith(api, $"tbk_{RandomId()}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}").GetAsync(Seed.AccountUrl(accountId))).StatusCode));
        var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(keyCallsBefore, calls.Count(typeof(IApiKeyGrain)));
        Assert.InRange(calls.Count(typeof(IApiKeyDirectoryGrain)) - directoryCallsBefore, 0, (int)Math.Ceiling(seconds) + 1);
    }

    private static HttpClient ClientWith(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> api, string key)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    private ApiKeyCache Cache() =>
        new(_source, Options.Create(new AuthOptions()), _time, NullLogger<ApiKeyCache>.Instance);

    private static string RandomId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>Secret hashes as the key grain stores them: lower-case hex of 32 bytes.</summary>
    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));

    /// <summary>The directory of live ids and the key grains, in memory, counting what they are asked.</summary>
    private sealed class FakeKeySource : IApiKeySource
    {
        private readonly ConcurrentDictionary<string, (string Hash, string Account, bool Revoked)> _grains = new();
        private readonly ConcurrentDictionary<string, bool> _directory = new();
        private long _version;
        private int _idReads;
        private int _keyLookups;

        public int IdReads => _idReads;

        public int KeyLookups => _keyLookups;

        /// <summary>Nothing in the cluster answers (unless <see cref="KeysReachable"/>: then only the directory is lost).</summary>
        public bool Unreachable { get; set; }

        public bool KeysReachable { get; set; }

        public void Issue(string keyId, string secret, string accountId)
        {
            _grains[keyId] = (Hash(secret), accountId, false);
            _directory[keyId] = true;
            Interlocked.Increment(ref _version);
        }

        /// <summary>The key grain knows, the directory does not (as when its update failed).</summary>
        public void RevokeInGrainOnly(string keyId) => _grains[keyId] = _grains[keyId] with { Revoked = true };

        public void Revoke(string keyId)
        {
            RevokeInGrainOnly(keyId);
            _directory.TryRemove(keyId, out _);
            Interlocked.Increment(ref _version);
        }

        public Task<ApiKeyIdSet?> GetKeyIdsIfChangedAsync(long knownVersion)
        {
            Interlocked.Increment(ref _idReads);
            if (Unreachable)
            {
                throw new SiloUnavailableException("Injected: the directory's silo is gone.");
            }

            var version = Interlocked.Read(ref _version);
            return Task.FromResult(version == knownVersion ? null : new ApiKeyIdSet(version, _directory.Keys.ToArray()));
        }

        public Task<string?> AuthenticateAsync(string keyId, string secretHash)
        {
            Interlocked.Increment(ref _keyLookups);
            if (Unreachable && !KeysReachable)
            {
                throw new SiloUnavailableException("Injected: the key's silo is gone.");
            }

            return Task.FromResult(_grains.TryGetValue(keyId, out var key) && !key.Revoked && key.Hash == secretHash ? key.Account : null);
        }
    }

    private sealed class GrainCallCounter : IIncomingGrainCallFilter
    {
        private readonly ConcurrentDictionary<Type, int> _calls = new();

        public int Count(Type grainInterface) => _calls.GetValueOrDefault(grainInterface);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType is { } type)
            {
                _calls.AddOrUpdate(type, 1, (_, n) => n + 1);
            }

            return context.Invoke();
        }
    }
}
