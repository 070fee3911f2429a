using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Invoices;

/// <summary>
/// One invoice. It keeps the first draft handed over for its key (a repeated hand-over is ignored),
/// and its status and Stripe references.
/// </summary>
[GrainType("stripe-invoice")]
public sealed class StripeInvoiceGrain(
    [PersistentState("invoice", StorageNames.Billing)] IPersistentState<InvoiceState> state,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time) : Grain, IStripeInvoiceGrain
{
    public async Task<InvoiceSummary> SubmitAsync(InvoiceDraft draft)
    {
        if (draft.InvoiceKey != this.GetPrimaryKeyString())
        {
            throw new ArgumentException($"Draft {draft.InvoiceKey} was handed to invoice {this.GetPrimaryKeyString()}.", nameof(draft));
        }

        if (state.State.Draft is null)
        {
            var now = time.GetUtcNow();
            state.State.Draft = draft;
            state.State.Status = InvoiceStatus.HandedOver;
            state.State.HandedOverAt = now;
            state.State.UpdatedAt = now;
            await state.WriteStateAsync();
        }

        return Summary(state.State);
    }

    public Task<InvoiceSummary?> GetSummaryAsync() =>
        Task.FromResult(state.State.Draft is null ? null : Summary(state.State));

    public Task<InvoiceDraft?> GetDraftAsync() => Task.FromResult(state.State.Draft);

    private static InvoiceSummary Summary(InvoiceState invoice)
    {
        var draft = invoice.Draft!;
        var requestId = draft.Kind == InvoiceKind.OneTime ? draft.InvoiceKey[(draft.InvoiceKey.LastIndexOf("/once-", StringComparison.Ordinal) + 6)..] : null;
        return new InvoiceSummary(
            draft.InvoiceKey, draft.Kind, draft.Period, requestId, invoice.Status, draft.InvoiceDate, draft.Total,
            invoice.StripeInvoiceId, invoice.Number, invoice.AmountDueCents, invoice.AmountPaidCents, invoice.HostedInvoiceUrl,
            invoice.FailureReason, invoice.UpdatedAt);
    }
}

[GrainType("invoice-history")]
public sealed class InvoiceHistoryGrain(
    [PersistentState("invoice-history", StorageNames.Billing)] IPersistentState<InvoiceHistoryState> state) : Grain, IInvoiceHistoryGrain
{
    public async Task AddAsync(string invoiceKey)
    {
        if (!state.State.InvoiceKeys.Contains(invoiceKey))
        {
            state.State.InvoiceKeys.Add(invoiceKey);
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.InvoiceKeys.ToList());
}
