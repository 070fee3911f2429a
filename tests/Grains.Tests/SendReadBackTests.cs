using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.StripeSandbox;
using static TenantBilling.Grains.Tests.Support.StripeSteps;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// A send whose answer was lost after Stripe e-mailed the invoice (a 5xx after the work, a timeout, a dropped
/// connection) is found among Stripe's <c>invoice.sent</c> events and never sent again; one refused before the
/// work is sent once more. The fake counts the sends of each invoice.
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class SendReadBackTests(OneSiloStripeCluster cluster)
{
    public static TheoryData<FaultKind> LostAnswers =>
    [
        FaultKind.ServerErrorAfterWork,
        FaultKind.TimeoutAfterWork,
        FaultKind.DropConnectionAfterWork,
    ];

    [Theory]
    [MemberData(nameof(LostAnswers))]
    public async Task A_send_whose_answer_was_lost_after_stripe_emailed_it_is_found_in_the_events_and_sent_once(FaultKind fault)
    {
        var (scenario, account) = await StartAsync(cluster);
        var invoiceKey = scenario.InvoiceKey(October);
        var send = Inject(cluster, account, fault, "/v1/invoices/*/send");

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(invoiceKey);

        Assert.Equal(1, send.Fired);
        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        var sent = Only(cluster, account, invoiceKey);
        Assert.Equal(("open", 1), (sent.Status, sent.SendCount));
        Assert.Equal((sent.Number, sent.HostedInvoiceUrl), (invoice.Number, invoice.HostedInvoiceUrl));
        Assert.Single(cluster.Stripe.Events(account), e => e.Type == "invoice.sent" && e.ObjectId == sent.Id);
        Assert.Contains(cluster.Stripe.RequestLog, r => r.AccountId == account && r.Route == "GET /v1/events" && r.Status == 200);
        Assert.Equal(1, cluster.Stripe.RequestLog.Count(r => r.AccountId == account && r.Route == "POST /v1/invoices/{id}/send"
            && r.Outcome is RequestOutcome.Executed or RequestOutcome.FaultAfterWork));   // the send ran once
        NoInvalidRequests(cluster, account);
    }

    [Theory]
    [InlineData(FaultKind.ServerErrorBeforeWork)]
    [InlineData(FaultKind.DropConnectionBeforeWork)]
    public async Task A_send_refused_before_its_work_is_not_found_in_the_events_and_goes_out_once_more(FaultKind fault)
    {
        var (scenario, account) = await StartAsync(cluster);
        var invoiceKey = scenario.InvoiceKey(October);
        var send = Inject(cluster, account, fault, "/v1/invoices/*/send");

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(invoiceKey);

        Assert.Equal(1, send.Fired);
        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.Equal(1, Only(cluster, account, invoiceKey).SendCount);
        Assert.Contains(cluster.Stripe.RequestLog, r => r.AccountId == account && r.Route == "GET /v1/events" && r.Status == 200);
    }
}
