using global::Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Corrections;

/// <summary>An invoice as a correction needs it: its status and Stripe's figures, cents.</summary>
public sealed record StripeCorrectedInvoice(string Id, string Status, string? Number, long AmountDue, long AmountPaid, string? HostedInvoiceUrl);

/// <summary>One line of a Stripe invoice: its id, amount and the tax rates of its tax amounts, in order.</summary>
public sealed record StripeInvoiceLine(string Id, long Amount, IReadOnlyList<string> TaxRateIds);

/// <summary>One credit note line to send: the Stripe line, the cents credited, and each tax amount by its tax rate.</summary>
public sealed record StripeCreditLine(string InvoiceLineId, long Amount, IReadOnlyList<(string TaxRateId, long Amount, long TaxableAmount)> TaxAmounts);

/// <summary>A credit note in Stripe.</summary>
public sealed record StripeCreditNote(string Id, string? Number, long Total, string? Marker);

/// <summary>What corrections ask of Stripe. Every POST takes its idempotency key from the caller.</summary>
public interface IStripeCorrectionGateway
{
    Task<StripeCorrectedInvoice> VoidAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken);

    Task<StripeCorrectedInvoice> GetInvoiceAsync(StripeAccess access, string invoiceId, CancellationToken cancellationToken);

    /// <summary>Every line of the invoice, in the order they were added.</summary>
    Task<IReadOnlyList<StripeInvoiceLine>> ListLinesAsync(StripeAccess access, string invoiceId, CancellationToken cancellationToken);

    /// <summary>A credit note carrying <paramref name="marker"/> in its metadata, to the customer's balance or refunded.</summary>
    Task<StripeCreditNote> CreateCreditNoteAsync(
        StripeAccess access, string idempotencyKey, string invoiceId, IReadOnlyList<StripeCreditLine> lines, CreditDestination destination, string marker, string? memo, CancellationToken cancellationToken);

    /// <summary>The invoice's credit note carrying <paramref name="marker"/>, or null (listed: lists are current, search is not).</summary>
    Task<StripeCreditNote?> FindCreditNoteAsync(StripeAccess access, string invoiceId, string marker, CancellationToken cancellationToken);
}

/// <summary>
/// Stripe.net behind <see cref="IStripeCorrectionGateway"/>, reaching the account's Stripe as the invoice pipeline
/// does (<see cref="StripeAccountClient"/>: one client, the key per request, no Stripe.net retries). Corrections are
/// rare, so they keep Stripe.net's own options classes and object model.
/// </summary>
public sealed class StripeCorrectionGateway(StripeAccountClient stripe) : IStripeCorrectionGateway
{
    /// <summary>The metadata field carrying <c>{invoiceKey}#{requestId}</c> on every credit note we issue.</summary>
    public const string CreditMetadata = "tenant_billing_credit";

    public async Task<StripeCorrectedInvoice> VoidAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, idempotencyKey);
        return Snapshot(await Call(() => new InvoiceService(client).VoidInvoiceAsync(invoiceId, null, request, cancellationToken)));
    }

    public async Task<StripeCorrectedInvoice> GetInvoiceAsync(StripeAccess access, string invoiceId, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, null);
        return Snapshot(await Call(() => new InvoiceService(client).GetAsync(invoiceId, null, request, cancellationToken)));
    }

    public async Task<IReadOnlyList<StripeInvoiceLine>> ListLinesAsync(StripeAccess access, string invoiceId, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, null);
        return await Call(async () =>
        {
            var lines = new List<StripeInvoiceLine>();
            await foreach (var line in new InvoiceLineItemService(client).ListAutoPagingAsync(invoiceId, new InvoiceLineItemListOptions { Limit = 100 }, request, cancellationToken))
            {
                lines.Add(new StripeInvoiceLine(line.Id, line.Amount, line.Taxes?.Select(t => t.TaxRateDetails?.TaxRateId ?? string.Empty).ToList() ?? []));
            }

            return (IReadOnlyList<StripeInvoiceLine>)lines;
        });
    }

    public async Task<StripeCreditNote> CreateCreditNoteAsync(
        StripeAccess access, string idempotencyKey, string invoiceId, IReadOnlyList<StripeCreditLine> lines, CreditDestination destination, string marker, string? memo, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, idempotencyKey);
        var total = lines.Sum(l => l.Amount + l.TaxAmounts.Sum(t => t.Amount));
        // Stripe.net sends a property set to null as an empty value (Stripe's "unset"), so only what applies is set.
        var create = new CreditNoteCreateOptions
        {
            Invoice = invoiceId,
            Lines = [.. lines.Select(Line)],
            Metadata = new Dictionary<string, string> { [CreditMetadata] = marker },
        };
        if (destination == CreditDestination.Refund)
        {
            create.RefundAmount = total;
        }
        else
        {
            create.CreditAmount = total;
        }

        if (memo is not null)
        {
            create.Memo = memo;
        }

        var note = await Call(() => new CreditNoteService(client).CreateAsync(create, request, cancellationToken));
        return new StripeCreditNote(note.Id, note.Number, note.Total, note.Metadata?.GetValueOrDefault(CreditMetadata));
    }

    public async Task<StripeCreditNote?> FindCreditNoteAsync(StripeAccess access, string invoiceId, string marker, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, null);
        return await Call(async () =>
        {
            await foreach (var note in new CreditNoteService(client).ListAutoPagingAsync(new CreditNoteListOptions { Invoice = invoiceId, Limit = 100 }, request, cancellationToken))
            {
                if (note.Metadata?.GetValueOrDefault(CreditMetadata) == marker)
                {
                    return new StripeCreditNote(note.Id, note.Number, note.Total, marker);
                }
            }

            return null;
        });
    }

    private static CreditNoteLineOptions Line(StripeCreditLine line)
    {
        var options = new CreditNoteLineOptions { Type = "invoice_line_item", InvoiceLineItem = line.InvoiceLineId, Amount = line.Amount };
        if (line.TaxAmounts.Count > 0)
        {
            options.TaxAmounts = [.. line.TaxAmounts.Select(t => new CreditNoteLineTaxAmountOptions { TaxRate = t.TaxRateId, Amount = t.Amount, TaxableAmount = t.TaxableAmount })];
        }

        return options;
    }

    private static StripeCorrectedInvoice Snapshot(Invoice invoice) =>
        new(invoice.Id, invoice.Status, invoice.Number, invoice.AmountDue, invoice.AmountPaid, invoice.HostedInvoiceUrl);

    private static async Task<T> Call<T>(Func<Task<T>> request)
    {
        try
        {
            return await request();
        }
        catch (Exception exception) when (StripeCallException.IsStripeFailure(exception))
        {
            // Only Stripe's error type, code, message and request id go on, never its raw answer.
            throw StripeCallException.From(exception);
        }
    }

    private (StripeClient Client, RequestOptions Request) Connect(StripeAccess access, string? idempotencyKey) =>
        (stripe.Client, stripe.Request(access, idempotencyKey));
}
