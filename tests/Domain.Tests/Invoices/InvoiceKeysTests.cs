using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Invoices;

namespace TenantBilling.Domain.Tests.Invoices;

/// <summary>The idempotency key of each of an invoice's requests: the same request has the same key, and a key never meets another body.</summary>
public sealed class InvoiceKeysTests
{
    private const string Key = "acct/t1/2026-10";

    private static InvoiceState Invoice(int round = 0, int attempt = 0, string? customer = "cus_1") =>
        new() { RetryRound = round, Attempt = attempt, CustomerId = customer };

    [Fact]
    public void The_same_request_in_the_same_round_and_attempt_has_the_same_key()
    {
        Assert.Equal(InvoiceKeys.Create(Key, Invoice(), InvoiceLifecycle.SendInvoice, 30, false), InvoiceKeys.Create(Key, Invoice(), InvoiceLifecycle.SendInvoice, 30, false));
        Assert.Equal(InvoiceKeys.Finalize(Key, Invoice(1, 2)), InvoiceKeys.Finalize(Key, Invoice(1, 2)));
        Assert.Equal("acct/t1/2026-10:finalize", InvoiceKeys.Finalize(Key, Invoice()));
        Assert.Equal("acct/t1/2026-10:send:1.2", InvoiceKeys.Send(Key, Invoice(1, 2)));
    }

    public static TheoryData<string, string> DifferentBodies() => new()
    {
        { "another customer", InvoiceKeys.Create(Key, Invoice(customer: "cus_2"), InvoiceLifecycle.SendInvoice, 30, false) },
        { "charged instead of emailed", InvoiceKeys.Create(Key, Invoice(), InvoiceLifecycle.ChargeAutomatically, 30, false) },
        { "due in other days", InvoiceKeys.Create(Key, Invoice(), InvoiceLifecycle.SendInvoice, 14, false) },
        { "the answer includes the customer", InvoiceKeys.Create(Key, Invoice(), InvoiceLifecycle.SendInvoice, 30, true) },
        { "a new attempt after a 5xx", InvoiceKeys.Create(Key, Invoice(attempt: 1), InvoiceLifecycle.SendInvoice, 30, false) },
        { "a new round (manual retry, another Stripe)", InvoiceKeys.Create(Key, Invoice(round: 1), InvoiceLifecycle.SendInvoice, 30, false) },
    };

    [Theory]
    [MemberData(nameof(DifferentBodies))]
    public void A_create_whose_body_or_round_differs_has_another_key(string because, string other) =>
        Assert.True(InvoiceKeys.Create(Key, Invoice(), InvoiceLifecycle.SendInvoice, 30, false) != other, because);

    [Fact]
    public void The_days_until_due_do_not_change_an_auto_charge_creates_key_since_its_body_has_none() =>
        Assert.Equal(
            InvoiceKeys.Create(Key, Invoice(), InvoiceLifecycle.ChargeAutomatically, 30, false),
            InvoiceKeys.Create(Key, Invoice(), InvoiceLifecycle.ChargeAutomatically, 14, false));

    [Fact]
    public void Each_step_has_its_own_key()
    {
        var invoice = Invoice();
        var keys = new[]
        {
            InvoiceKeys.Create(Key, invoice, InvoiceLifecycle.SendInvoice, 30, false), InvoiceKeys.SwitchToEmail(Key, invoice, 30),
            InvoiceKeys.AddLines(Key, invoice), InvoiceKeys.Finalize(Key, invoice), InvoiceKeys.Send(Key, invoice), InvoiceKeys.Pay(Key, invoice),
        };

        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.All(keys, k => Assert.StartsWith(Key + ":", k, StringComparison.Ordinal));
    }
}
