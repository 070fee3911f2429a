using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>Billing and Stripe settings that could only fail later stop the service at start, naming the setting (and never a secret's value).</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void A_retry_interval_under_the_reminder_minimum_is_refused()
    {
        var refused = StartFails(("Billing:RetryInterval", "00:00:30"));

        Assert.Contains("Billing:RetryInterval", refused, StringComparison.Ordinal);
        Assert.Contains("minimum reminder period", refused, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("JoNjWCXwL7m0h139NIHDkA==", "is 16 bytes")]
    [InlineData("not base64 at all!", "is not base64")]
    public void An_encryption_key_that_is_not_32_bytes_of_base64_is_refused_without_showing_it(string key, string expected)
    {
        var refused = StartFails(("Stripe:EncryptionKey", key));

        Assert.Contains("Stripe:EncryptionKey", refused, StringComparison.Ordinal);
        Assert.Contains(expected, refused, StringComparison.Ordinal);
        Assert.DoesNotContain(key, refused, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api.stripe.com")]
    [InlineData("/v1")]
    [InlineData("ftp://api.stripe.com")]
    public void A_stripe_base_address_that_is_not_absolute_http_is_refused(string apiBase)
    {
        var refused = StartFails(("Stripe:ApiBase", apiBase));

        Assert.Contains("Stripe:ApiBase", refused, StringComparison.Ordinal);
        Assert.Contains($"'{apiBase}' is not", refused, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:01:01")]
    public void A_stripe_request_timeout_that_is_not_positive_or_longer_than_a_customer_call_may_take_is_refused(string timeout)
    {
        var refused = StartFails(("Stripe:RequestTimeout", timeout));

        Assert.Contains("Stripe:RequestTimeout", refused, StringComparison.Ordinal);
        Assert.Contains("at most 00:01:00", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_settings_start()
    {
        using var api = Api(("Billing:RetryInterval", "00:01:00"), ("Stripe:ApiBase", "http://127.0.0.1:9"), ("Stripe:RequestTimeout", "00:01:00"),
            ("Stripe:EncryptionKey", Convert.ToBase64String(new byte[32])));

        using var client = api.CreateClient();
        Assert.True((await client.GetAsync("/health/live")).IsSuccessStatusCode);
    }

    private static string StartFails(params (string Key, string Value)[] settings)
    {
        using var api = Api(settings);
        return Assert.ThrowsAny<Exception>(() => api.CreateClient()).ToString();
    }

    private static WebApplicationFactory<Program> Api(params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Orleans:SiloPort", Ports.FreeText());
            builder.UseSetting("Orleans:GatewayPort", Ports.FreeText());
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
}
