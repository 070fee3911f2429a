using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

public sealed class WebhookTests
{
    private const string Secret = "whsec_test_secret";

    [Theory]
    [InlineData("invoice.paid")]
    [InlineData("invoice.payment_failed")]
    [InlineData("invoice.voided")]
    [InlineData("invoice.marked_uncollectible")]
    [InlineData("invoice.finalized")]
    public async Task Built_webhook_is_verified_by_EventUtility_with_the_connected_account(string type)
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server, stripeAccount: "acct_connected");
        var customer = await client.NewCustomerAsync();
        var invoice = await client.NewDraftAsync(customer.Id);

        var webhook = server.BuildWebhook("acct_connected", invoice.Id, type, Secret);
        var evt = EventUtility.ConstructEvent(webhook.Payload, webhook.SignatureHeader, Secret);

        Assert.Equal(type, evt.Type);
        Assert.Equal(webhook.EventId, evt.Id);
        Assert.Equal("acct_connected", evt.Account);
        Assert.Equal(invoice.Id, Assert.IsType<Invoice>(evt.Data.Object).Id);
    }

    [Fact]
    public async Task Tampered_payload_or_wrong_secret_is_rejected()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var invoice = await client.NewDraftAsync(customer.Id);
        var webhook = server.BuildWebhook(server.PlatformAccountId(StripeClients.PlatformKey), invoice.Id, "invoice.paid", Secret);
        var tampered = webhook.Payload.Replace("\"status\":\"draft\"", "\"status\":\"paid\"", StringComparison.Ordinal);

        Assert.NotEqual(webhook.Payload, tampered);
        Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(tampered, webhook.SignatureHeader, Secret));
        Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(webhook.Payload, webhook.SignatureHeader, "whsec_other"));
        Assert.Null(EventUtility.ConstructEvent(webhook.Payload, webhook.SignatureHeader, Secret).Account);
    }

    [Fact]
    public async Task Old_timestamp_is_rejected_by_the_tolerance_check()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var invoice = await client.NewDraftAsync(customer.Id);

        var stale = server.BuildWebhook(server.PlatformAccountId(StripeClients.PlatformKey), invoice.Id, "invoice.paid", Secret, DateTimeOffset.UtcNow.AddMinutes(-10));

        Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(stale.Payload, stale.SignatureHeader, Secret));
    }

    [Fact]
    public async Task State_changes_record_events_and_registered_endpoints_receive_them_signed()
    {
        var received = new List<(string Type, string Account)>();
        await using var receiver = await StartReceiverAsync(received);
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        server.AddWebhookEndpoint(new Uri(receiver.Urls.Single() + "/webhooks"), Secret);
        var client = StripeClients.For(server, stripeAccount: "acct_hooks");
        var customer = await client.NewCustomerAsync();
        server.AttachCard("acct_hooks", customer.Id, FakeCard.Declined);
        var draft = await client.NewDraftAsync(customer.Id, "charge_automatically");
        await client.AddAmountLineAsync(draft.Id, 100);
        await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.PayAsync(draft.Id));
        await client.V1.Invoices.VoidInvoiceAsync(draft.Id);

        await server.WhenWebhooksDeliveredAsync();

        string[] expected = ["invoice.created", "invoice.finalized", "invoice.payment_failed", "invoice.voided"];
        Assert.Equal(expected, server.Events("acct_hooks").Select(e => e.Type));
        Assert.All(server.WebhookDeliveries, d => Assert.Equal(200, d.Status));
        lock (received)
        {
            Assert.Equal(expected.Order(StringComparer.Ordinal), received.Select(r => r.Type).Order(StringComparer.Ordinal));
            Assert.All(received, r => Assert.Equal("acct_hooks", r.Account));
        }
    }

    [Fact]
    public async Task PostWebhookAsync_delivers_payload_and_signature_header()
    {
        var received = new List<(string Type, string Account)>();
        await using var receiver = await StartReceiverAsync(received);
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server, stripeAccount: "acct_post");
        var customer = await client.NewCustomerAsync();
        var invoice = await client.NewDraftAsync(customer.Id);
        var webhook = server.BuildWebhook("acct_post", invoice.Id, "invoice.voided", Secret);

        using var ok = await server.PostWebhookAsync(new Uri(receiver.Urls.Single() + "/webhooks"), webhook);
        using var bad = await server.PostWebhookAsync(new Uri(receiver.Urls.Single() + "/webhooks"), webhook with { SignatureHeader = "t=1,v1=00" });

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        lock (received)
        {
            Assert.Equal([("invoice.voided", "acct_post")], received);
        }
    }

    // A stand-in for the product's webhook endpoint: verifies with Stripe.net and records what it accepted.
    private static async Task<WebApplication> StartReceiverAsync(List<(string Type, string Account)> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/webhooks", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var json = await reader.ReadToEndAsync();
            try
            {
                var evt = EventUtility.ConstructEvent(json, request.Headers["Stripe-Signature"], Secret);
                lock (received)
                {
                    received.Add((evt.Type, evt.Account));
                }

                return Results.Ok();
            }
            catch (StripeException)
            {
                return Results.BadRequest();
            }
        });
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task A_thin_event_names_the_invoice_and_its_connected_account_and_stripe_net_parses_it()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server, stripeAccount: "acct_thin");
        var customer = await client.NewCustomerAsync();
        var invoice = await client.NewDraftAsync(customer.Id);

        var webhook = server.BuildThinWebhook("acct_thin", invoice.Id, "v1.invoice.paid", "whsec_thin");
        var parsed = client.ParseEventNotification(webhook.Payload, webhook.SignatureHeader, "whsec_thin");

        var paid = Assert.IsType<Stripe.Events.V1InvoicePaidEventNotification>(parsed);
        Assert.Equal((invoice.Id, "invoice", "acct_thin"), (paid.RelatedObject.Id, paid.RelatedObject.Type, paid.Context?.ToString()));
        Assert.Throws<StripeException>(() => client.ParseEventNotification(webhook.Payload, webhook.SignatureHeader, "whsec_other"));
        Assert.DoesNotContain(server.Events("acct_thin"), e => e.Id == webhook.EventId);   // thin events are built, not recorded
    }
}
