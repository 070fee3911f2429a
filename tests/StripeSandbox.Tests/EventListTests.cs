using System.Net;
using Microsoft.Extensions.Time.Testing;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

/// <summary>
/// <c>GET /v1/events</c>: each account's events newest first, filtered by type and creation time, paged; and
/// recorded when the work ran even if its answer was lost, so an <c>invoice.sent</c> event shows a send whose
/// answer never arrived.
/// </summary>
public sealed class EventListTests
{
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Events_are_listed_newest_first_filtered_by_type_and_created_and_paged_with_has_more()
    {
        var clock = new FakeTimeProvider(Start);
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { TimeProvider = clock });
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var sent = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var draft = await client.NewDraftAsync(customer.Id);
            await client.AddAmountLineAsync(draft.Id, 1_000 + i);
            clock.Advance(TimeSpan.FromMinutes(1));
            await client.V1.Invoices.SendInvoiceAsync(draft.Id);   // finalizes the draft, then sends it
            sent.Add(draft.Id);
        }

        var allSent = await client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent" });
        Assert.Equal(Enumerable.Reverse(sent), allSent.Data.Select(e => ((Invoice)e.Data.Object).Id));
        Assert.All(allSent.Data, e => Assert.Equal("invoice.sent", e.Type));
        Assert.False(allSent.HasMore);

        // Since the second send (inclusive), and strictly after it.
        var secondAt = Start.AddMinutes(2).UtcDateTime;
        var since = await client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent", Created = new DateRangeOptions { GreaterThanOrEqual = secondAt } });
        Assert.Equal([sent[2], sent[1]], since.Data.Select(e => ((Invoice)e.Data.Object).Id));
        var after = await client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent", Created = new DateRangeOptions { GreaterThan = secondAt } });
        Assert.Equal([sent[2]], after.Data.Select(e => ((Invoice)e.Data.Object).Id));
        var upTo = await client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent", Created = new DateRangeOptions { LessThanOrEqual = secondAt, LessThan = Start.AddMinutes(3).UtcDateTime } });
        Assert.Equal([sent[1], sent[0]], upTo.Data.Select(e => ((Invoice)e.Data.Object).Id));

        // Several types at once, or every invoice event by prefix; events of other types are left out.
        var two = await client.V1.Events.ListAsync(new EventListOptions { Types = ["invoice.sent", "invoice.finalized"], Limit = 100 });
        Assert.Equal(6, two.Data.Count);
        Assert.Equal(["invoice.sent", "invoice.finalized"], two.Data.Take(2).Select(e => e.Type));
        var invoiceEvents = await client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.*", Limit = 100 });
        Assert.Contains(invoiceEvents.Data, e => e.Type == "invoice.created");
        Assert.All(invoiceEvents.Data, e => Assert.StartsWith("invoice.", e.Type, StringComparison.Ordinal));

        // Pages of two: has_more until the last, starting_after the last id of the page before.
        var first = await client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent", Limit = 2 });
        var second = await client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent", Limit = 2, StartingAfter = first.Data[^1].Id });
        Assert.True(first.HasMore);
        Assert.False(second.HasMore);
        Assert.Equal(allSent.Data.Select(e => e.Id), first.Data.Concat(second.Data).Select(e => e.Id));
        var paged = new List<string>();
        await foreach (var e in client.V1.Events.ListAutoPagingAsync(new EventListOptions { Type = "invoice.sent", Limit = 1 }))
        {
            paged.Add(((Invoice)e.Data.Object).Id);
        }

        Assert.Equal(Enumerable.Reverse(sent), paged);

        // One event by id is the same event.
        var one = await client.V1.Events.GetAsync(allSent.Data[0].Id);
        Assert.Equal((allSent.Data[0].Id, "invoice.sent"), (one.Id, one.Type));
    }

    [Fact]
    public async Task Type_and_types_together_a_limit_over_100_and_an_unknown_cursor_are_refused()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);

        var both = await Assert.ThrowsAsync<StripeException>(() => client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent", Types = ["invoice.paid"] }));
        var tooMany = await Assert.ThrowsAsync<StripeException>(() => client.V1.Events.ListAsync(new EventListOptions { Limit = 101 }));
        var cursor = await Assert.ThrowsAsync<StripeException>(() => client.V1.Events.ListAsync(new EventListOptions { StartingAfter = "evt_unknown" }));

        Assert.All([both, tooMany, cursor], e => Assert.Equal(HttpStatusCode.BadRequest, e.HttpStatusCode));
        Assert.Equal("types", both.StripeError.Param);
    }

    public static TheoryData<FaultKind> LostAnswers => [FaultKind.ServerErrorAfterWork, FaultKind.TimeoutAfterWork, FaultKind.DropConnectionAfterWork];

    [Theory]
    [MemberData(nameof(LostAnswers))]
    public async Task A_send_whose_answer_was_lost_is_listed_as_one_invoice_sent_event(FaultKind fault)
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server, timeout: TimeSpan.FromSeconds(2));
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(draft.Id, 2_500);
        await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        var injected = server.InjectFault(new FaultRule(fault) { Method = "POST", Path = "/v1/invoices/*/send", Delay = TimeSpan.FromSeconds(10) });

        var lost = await Record.ExceptionAsync(() => client.V1.Invoices.SendInvoiceAsync(draft.Id, null, new RequestOptions { IdempotencyKey = "send:lost" }));

        Assert.NotNull(lost);
        Assert.Equal(1, injected.Fired);
        var events = await client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent" });
        var sent = Assert.Single(events.Data);
        Assert.Equal(draft.Id, ((Invoice)sent.Data.Object).Id);
        Assert.Equal("send:lost", sent.Request.IdempotencyKey);
        Assert.Equal(1, Assert.Single(server.Invoices(server.PlatformAccountId(StripeClients.PlatformKey))).SendCount);
    }

    [Fact]
    public async Task A_send_refused_before_its_work_leaves_no_event()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(draft.Id, 2_500);
        await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        server.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork) { Method = "POST", Path = "/v1/invoices/*/send" });

        await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.SendInvoiceAsync(draft.Id));

        Assert.Empty((await client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent" })).Data);
    }

    [Fact]
    public async Task Each_connect_account_lists_only_its_own_events_and_they_name_it()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var platform = StripeClients.For(server);
        var connected = StripeClients.For(server, stripeAccount: "acct_connected_events");
        var customer = await connected.NewCustomerAsync();
        var draft = await connected.NewDraftAsync(customer.Id);
        await connected.AddAmountLineAsync(draft.Id, 900);
        await connected.V1.Invoices.SendInvoiceAsync(draft.Id);

        var theirs = await connected.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent" });
        var platformOwn = await platform.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent" });

        var sent = Assert.Single(theirs.Data);
        Assert.Equal("acct_connected_events", sent.Account);
        Assert.Empty(platformOwn.Data);
    }
}
