using TenantBilling.Grains.Domain.Corrections;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Corrections;

/// <summary>A month's revision: its key, what it names, and the phantom fee once per tenant and month.</summary>
public sealed class MonthRevisionsTests
{
    private static InvoiceDraft Month(decimal usageTotal, InvoiceRevision? revision = null, int number = 0) => new(
        GrainKeys.MonthlyInvoice("acct", "t1", "2026-10", number), "acct", "t1", InvoiceKind.Monthly, "2026-10", "Usage for October 2026",
        new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero),
        [new InvoiceLine("minutes_outbound", "Outbound minutes", "minutes_outbound", 1000, 0.02m, 20m, TaxCategory.VoipUsage)], [], 20m, 0m, 20m,
        AutoCharge: false, IncludeTaxes: false, UsageTotal: usageTotal, SourceStatement: null, Revision: revision);

    public static TheoryData<string, decimal, bool?, decimal, bool, bool> FeeCases => new()
    {
        // case; voided invoice's usage; whether it was itself a revision with the fee already charged (null: the month's first); revision's usage; fee charged before; the revision costs the fee
        { "a phantom month revised as phantom: the first invoice's fee is the month's only one", 3.10m, null, 2.00m, true, false },
        { "a phantom month revised with real usage: no fee, and the first one stays", 3.10m, null, 42m, true, false },
        { "a billed month revised as phantom: its first fee", 42m, null, 3.10m, false, true },
        { "a billed month revised as billed: none", 42m, null, 50m, false, false },
        { "the second revision of a phantom month: still one fee", 2.00m, true, 1.00m, true, false },
        { "the second revision after a revision that cost the fee: none", 2.00m, false, 1.00m, true, false },
    };

    [Theory]
    [MemberData(nameof(FeeCases))]
    public void The_phantom_fee_is_one_per_tenant_and_month_however_many_revisions(
        string name, decimal previousUsage, bool? previousFeeCharged, decimal usage, bool feeCharged, bool costsFee)
    {
        var previous = previousFeeCharged is { } charged
            ? Month(previousUsage, new InvoiceRevision(1, GrainKeys.MonthlyInvoice("acct", "t1", "2026-10"), "N-0001", charged), number: 1)
            : Month(previousUsage);

        var revision = MonthRevisions.Revise(Month(usage), previous.Revision is null ? 1 : 2, previous, "N-0007");

        Assert.True((feeCharged, costsFee) == (revision.Revision!.FeeCharged, MonthRevisions.CostsFee(revision)), name);
    }

    [Fact]
    public void A_revision_has_its_own_key_and_names_the_voided_invoice_by_key_and_number()
    {
        var first = Month(42m);

        var revision = MonthRevisions.Revise(Month(42m), 1, first, "SANDBOX-7K2Q-0001");
        var second = MonthRevisions.Revise(Month(42m), 2, revision, null);

        Assert.Equal(("acct/t1/2026-10", "acct/t1/2026-10-r1", "acct/t1/2026-10-r2"), (first.InvoiceKey, revision.InvoiceKey, second.InvoiceKey));
        Assert.Equal(new InvoiceRevision(1, "acct/t1/2026-10", "SANDBOX-7K2Q-0001", false), revision.Revision);
        Assert.Equal("Usage for October 2026 (corrects invoice SANDBOX-7K2Q-0001)", revision.Description);
        Assert.Equal(("acct/t1/2026-10-r1", "Usage for October 2026 (corrected invoice)"), (second.Revision!.Revises, second.Description));
        Assert.True(MonthRevisions.CostsFee(Month(3m)));
        Assert.Throws<ArgumentException>(() => MonthRevisions.Revise(Month(42m), 0, first, null));
    }
}
