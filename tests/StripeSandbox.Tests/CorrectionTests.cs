using System.Net;
using Stripe;
using TenantBilling.StripeSandbox.Faults;

namespace TenantBilling.StripeSandbox.Tests;

/// <summary>Voids, invoice revisions (<c>from_invoice</c>) and credit notes with tax amounts, as Stripe takes them.</summary>
public sealed class CorrectionTests
{
    private static string Account(StripeSandboxServer server) => server.PlatformAccountId(StripeClients.PlatformKey);

    private static InvoiceLineTaxAmountOptions Tax(long amount, long taxable, string name, decimal percentage) => new()
    {
        Amount = amount,
        TaxableAmount = taxable,
        TaxRateData = new InvoiceLineTaxAmountTaxRateDataOptions
        {
            DisplayName = name, Percentage = percentage, Inclusive = false, Jurisdiction = "US", JurisdictionLevel = "country", Country = "US", TaxType = "communications_tax",
        },
    };

    /// <summary>An open invoice: a 50.00 line with USF 12.01 and 911 4.75, and a 10.00 line without tax (76.76).</summary>
    private static async Task<(StripeClient Client, Invoice Invoice)> OpenTaxedInvoiceAsync(StripeSandboxServer server, string collection = "send_invoice")
    {
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id, collection);
        await client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions
        {
            Lines =
            [
                new InvoiceLineOptions { Amount = 5000, Description = "Minutes", TaxAmounts = [Tax(1201, 3245, "USF", 37m), Tax(475, 0, "911 fee", 0m)] },
                new InvoiceLineOptions { Amount = 1000, Description = "Set-up" },
            ],
        });
        if (collection == "charge_automatically")
        {
            server.AttachCard(Account(server), customer.Id);
        }

        return (client, await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id));
    }

    /// <summary>The same invoice charged to a saved card: paid.</summary>
    private static async Task<(StripeClient Client, Invoice Invoice)> PaidTaxedInvoiceAsync(StripeSandboxServer server)
    {
        var (client, open) = await OpenTaxedInvoiceAsync(server, "charge_automatically");
        return (client, await client.V1.Invoices.PayAsync(open.Id));
    }

    /// <summary>A credit of <paramref name="amount"/> cents on an invoice line, with the tax amounts given (none: an untaxed line's).</summary>
    private static CreditNoteLineOptions Credit(InvoiceLineItem line, long amount, List<CreditNoteLineTaxAmountOptions>? taxAmounts = null) =>
        new() { Type = "invoice_line_item", InvoiceLineItem = line.Id, Amount = amount, TaxAmounts = taxAmounts };

    /// <summary>The whole line credited, with each of its tax amounts.</summary>
    private static CreditNoteLineOptions WholeLine(InvoiceLineItem line) =>
        Credit(line, line.Amount, line.Taxes.Select(t => new CreditNoteLineTaxAmountOptions { Amount = t.Amount, TaxRate = t.TaxRateDetails.TaxRateId, TaxableAmount = t.TaxableAmount }).ToList());

    /// <summary>A revision (<c>from_invoice</c>) of the invoice.</summary>
    private static InvoiceCreateOptions Revision(string invoiceId) => new() { FromInvoice = new InvoiceFromInvoiceOptions { Action = "revision", Invoice = invoiceId } };

    /// <summary>The customer's invoice balance in cents, as the fake holds it (negative: credit).</summary>
    private static long Balance(StripeSandboxServer server, string customerId) => server.FindCustomer(Account(server), customerId)!.Balance;

    [Fact]
    public async Task Voiding_a_paid_or_a_draft_invoice_is_refused_with_Stripe_s_error_and_an_open_one_is_voided()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, paid) = await PaidTaxedInvoiceAsync(server);
        var draft = await client.NewDraftAsync((await client.NewCustomerAsync()).Id);
        var (_, open) = await OpenTaxedInvoiceAsync(server);

        var paidVoid = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.VoidInvoiceAsync(paid.Id));
        var draftVoid = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.VoidInvoiceAsync(draft.Id));
        var voided = await client.V1.Invoices.VoidInvoiceAsync(open.Id);
        var again = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.VoidInvoiceAsync(open.Id));

        Assert.Equal(("paid", "draft"), (server.FindInvoice(Account(server), paid.Id)!.Status, server.FindInvoice(Account(server), draft.Id)!.Status));
        Assert.All([paidVoid, draftVoid, again], e => Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (e.HttpStatusCode, e.StripeError.Type)));
        Assert.Contains("paid", paidVoid.Message, StringComparison.Ordinal);
        Assert.Equal("void", voided.Status);
        Assert.Contains(server.Events(Account(server)), e => e.Type == "invoice.voided" && e.ObjectId == open.Id);
    }

    [Fact]
    public async Task A_revision_copies_the_lines_and_finalizing_it_voids_the_original_and_numbers_it_with_a_suffix()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, original) = await OpenTaxedInvoiceAsync(server);

        var draft = await client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            FromInvoice = new InvoiceFromInvoiceOptions { Action = "revision", Invoice = original.Id },
            Metadata = new Dictionary<string, string> { ["note"] = "corrected" },
        });
        Assert.Equal(("draft", "revision", original.Id), (draft.Status, draft.FromInvoice.Action, draft.FromInvoice.InvoiceId));
        Assert.Equal((7676L, 2), (draft.Total, draft.Lines.Data.Count));
        Assert.Equal([1201L, 475L], draft.Lines.Data[0].Taxes.Select(t => t.Amount));
        Assert.Equal("open", (await client.V1.Invoices.GetAsync(original.Id)).Status);

        // Correct it: the set-up line goes, a smaller one comes.
        await client.V1.InvoiceItems.DeleteAsync(draft.Lines.Data[1].Parent.InvoiceItemDetails.InvoiceItem);
        await client.AddAmountLineAsync(draft.Id, 500, "Set-up, corrected");
        var revised = await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        var voided = await client.V1.Invoices.GetAsync(original.Id);

        Assert.Equal(("open", 7176L, $"{original.Number}-1"), (revised.Status, revised.Total, revised.Number));
        Assert.Equal(("void", revised.Id), (voided.Status, voided.LatestRevisionId));
        Assert.Contains(server.Events(Account(server)), e => e.Type == "invoice.voided" && e.ObjectId == original.Id);

        // A revision of the revision: the chain's first number with the next suffix.
        var second = await client.V1.Invoices.CreateAsync(Revision(revised.Id));
        var secondFinal = await client.V1.Invoices.FinalizeInvoiceAsync(second.Id);
        Assert.Equal($"{original.Number}-2", secondFinal.Number);
        Assert.Equal("void", (await client.V1.Invoices.GetAsync(revised.Id)).Status);

        // The customer's own sequence did not move: its next invoice takes the number after the original's.
        var next = await client.NewDraftAsync(original.CustomerId);
        await client.AddAmountLineAsync(next.Id, 100);
        var nextFinal = await client.V1.Invoices.FinalizeInvoiceAsync(next.Id);
        Assert.EndsWith("-0002", nextFinal.Number, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_an_open_or_uncollectible_invoice_can_be_revised()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, paid) = await PaidTaxedInvoiceAsync(server);
        var (_, voided) = await OpenTaxedInvoiceAsync(server);
        await client.V1.Invoices.VoidInvoiceAsync(voided.Id);
        var draft = await client.NewDraftAsync(paid.CustomerId);
        var (_, uncollectible) = await OpenTaxedInvoiceAsync(server);
        await client.V1.Invoices.MarkUncollectibleAsync(uncollectible.Id);

        foreach (var id in new[] { paid.Id, voided.Id, draft.Id })
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.CreateAsync(Revision(id)));
            Assert.Equal((HttpStatusCode.BadRequest, "from_invoice[invoice]"), (refused.HttpStatusCode, refused.StripeError.Param));
        }

        var revision = await client.V1.Invoices.CreateAsync(Revision(uncollectible.Id));
        Assert.Equal(uncollectible.Id, revision.FromInvoice.InvoiceId);

        // The original paid meanwhile: the revision can no longer be finalized, and the paid invoice stays as it is.
        var (_, open) = await OpenTaxedInvoiceAsync(server);
        var late = await client.V1.Invoices.CreateAsync(Revision(open.Id));
        await client.V1.Invoices.PayAsync(open.Id, new InvoicePayOptions { PaidOutOfBand = true });
        var tooLate = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.FinalizeInvoiceAsync(late.Id));
        Assert.Equal(HttpStatusCode.BadRequest, tooLate.HttpStatusCode);
        Assert.Equal(("paid", "draft"), ((await client.V1.Invoices.GetAsync(open.Id)).Status, (await client.V1.Invoices.GetAsync(late.Id)).Status));
    }

    [Fact]
    public async Task A_credit_note_on_a_line_with_tax_amounts_is_refused_without_the_matching_tax_amounts()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, paid) = await PaidTaxedInvoiceAsync(server);
        var taxed = paid.Lines.Data[0];
        var usf = taxed.Taxes[0].TaxRateDetails.TaxRateId;

        var noTaxes = await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = paid.Id,
            Lines = [Credit(taxed, 5000)],
        }));
        var oneMissing = await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = paid.Id,
            Lines = [Credit(taxed, 5000, [new() { Amount = 1201, TaxRate = usf, TaxableAmount = 3245 }])],
        }));
        var tooMuchTax = await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = paid.Id,
            Lines = [Credit(taxed, 5000, [new() { Amount = 1202, TaxRate = usf, TaxableAmount = 3245 }, new() { Amount = 475, TaxRate = taxed.Taxes[1].TaxRateDetails.TaxRateId, TaxableAmount = 0 }])],
        }));
        var byAmount = await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = paid.Id, Amount = 1000 }));

        Assert.Equal("lines[0][tax_amounts]", noTaxes.StripeError.Param);
        Assert.Equal("lines[0][tax_amounts]", oneMissing.StripeError.Param);
        Assert.Equal("lines[0][tax_amounts][0][amount]", tooMuchTax.StripeError.Param);
        Assert.Equal("amount", byAmount.StripeError.Param);
        Assert.Empty(server.CreditNotes(Account(server)));
        Assert.Equal(0, Balance(server, paid.CustomerId));
    }

    [Fact]
    public async Task A_whole_taxed_line_credited_to_the_balance_reverses_its_taxes()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, paid) = await PaidTaxedInvoiceAsync(server);

        var note = await client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = paid.Id,
            Lines = [WholeLine(paid.Lines.Data[0])],
            CreditAmount = 6676,
            Reason = "order_change",
        });

        Assert.Equal(("post_payment", 5000L, 6676L, $"{paid.Number}-CN-01"), (note.Type, note.Subtotal, note.Total, note.Number));
        Assert.Equal([1201L, 475L], note.Lines.Data[0].Taxes.Select(t => t.Amount));
        Assert.Equal(1676L, note.TotalTaxes.Sum(t => t.Amount));
        Assert.Equal(-6676, Balance(server, paid.CustomerId));
        Assert.Equal(6676L, (await client.V1.Invoices.GetAsync(paid.Id)).PostPaymentCreditNotesAmount);
        Assert.Contains(server.Events(Account(server)), e => e.Type == "credit_note.created" && e.ObjectId == note.Id);

        // The line is credited in full now, its taxes too: nothing more can be credited on it.
        var again = await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = paid.Id,
            Lines = [Credit(paid.Lines.Data[0], 1, [new() { Amount = 0, TaxRate = paid.Lines.Data[0].Taxes[0].TaxRateDetails.TaxRateId, TaxableAmount = 0 }, new() { Amount = 0, TaxRate = paid.Lines.Data[0].Taxes[1].TaxRateDetails.TaxRateId, TaxableAmount = 0 }])],
        }));
        Assert.Equal(HttpStatusCode.BadRequest, again.HttpStatusCode);
    }

    [Fact]
    public async Task A_credit_note_takes_a_taxed_line_with_its_tax_amounts_and_an_untaxed_one_without()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, paid) = await PaidTaxedInvoiceAsync(server);

        var note = await client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = paid.Id,
            Lines = [WholeLine(paid.Lines.Data[0]), Credit(paid.Lines.Data[1], 400)],
        });

        Assert.Equal((5400L, 7076L), (note.Subtotal, note.Total));
        Assert.Empty(note.Lines.Data[1].Taxes);
    }

    [Fact]
    public async Task A_refund_is_at_most_what_was_charged_and_the_parts_must_add_up_to_the_total()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, paid) = await PaidTaxedInvoiceAsync(server);
        var setUp = Credit(paid.Lines.Data[1], 400);

        var wrongSum = await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = paid.Id, Lines = [setUp], RefundAmount = 300 }));
        var refund = await client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = paid.Id, Lines = [setUp], RefundAmount = 400 });

        Assert.Equal("credit_amount", wrongSum.StripeError.Param);
        Assert.Equal((400L, 400L), (refund.Total, Assert.Single(refund.Refunds).AmountRefunded));
        Assert.Equal(0, Balance(server, paid.CustomerId));

        // An invoice paid outside Stripe has no charge to refund.
        var (_, open) = await OpenTaxedInvoiceAsync(server);
        var outOfBand = await client.V1.Invoices.PayAsync(open.Id, new InvoicePayOptions { PaidOutOfBand = true });
        var noCharge = await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = outOfBand.Id,
            Lines = [Credit(outOfBand.Lines.Data[1], 400)],
            RefundAmount = 400,
        }));
        Assert.Equal("refund_amount", noCharge.StripeError.Param);
    }

    [Fact]
    public async Task A_credit_note_on_an_open_invoice_lowers_what_is_due_and_refunds_nothing_and_a_draft_or_void_takes_none()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, open) = await OpenTaxedInvoiceAsync(server);

        var refund = await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = open.Id,
            Lines = [Credit(open.Lines.Data[1], 1000)],
            RefundAmount = 1000,
        }));
        var note = await client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = open.Id,
            Lines = [Credit(open.Lines.Data[1], 1000)],
        });
        var after = await client.V1.Invoices.GetAsync(open.Id);

        Assert.Equal("refund_amount", refund.StripeError.Param);
        Assert.Equal(("pre_payment", 1000L), (note.Type, note.Total));
        Assert.Equal((6676L, 1000L, "open"), (after.AmountDue, after.PrePaymentCreditNotesAmount, after.Status));

        // Crediting the rest leaves nothing due: the invoice is paid.
        await client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = open.Id, Lines = [WholeLine(open.Lines.Data[0])] });
        Assert.Equal("paid", (await client.V1.Invoices.GetAsync(open.Id)).Status);

        var draft = await client.NewDraftAsync(open.CustomerId);
        await client.AddAmountLineAsync(draft.Id, 700);
        var onDraft = await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = draft.Id, Amount = 100 }));
        Assert.Equal("invoice", onDraft.StripeError.Param);
    }

    [Fact]
    public async Task More_than_is_left_on_the_invoice_is_never_credited()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(draft.Id, 1000);
        var open = await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        var paid = await client.V1.Invoices.PayAsync(open.Id, new InvoicePayOptions { PaidOutOfBand = true });

        await client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = paid.Id, Amount = 600 });
        var over = await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = paid.Id, Amount = 401 }));
        var rest = await client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = paid.Id, Amount = 400, OutOfBandAmount = 400 });

        Assert.Equal("amount", over.StripeError.Param);
        Assert.Equal($"{paid.Number}-CN-02", rest.Number);
        Assert.Equal([600L, 400L], server.CreditNotes(Account(server)).Select(n => n.Total));
        var listed = await client.V1.CreditNotes.ListAsync(new CreditNoteListOptions { Invoice = paid.Id });
        Assert.Equal(2, listed.Data.Count);
    }

    [Fact]
    public async Task A_credit_note_whose_answer_was_lost_is_replayed_under_its_key_and_never_issued_twice()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, paid) = await PaidTaxedInvoiceAsync(server);
        server.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/credit_notes", ReplaySuccess = true, Count = 1 });
        var create = new CreditNoteCreateOptions { Invoice = paid.Id, Lines = [WholeLine(paid.Lines.Data[0])], CreditAmount = 6676 };
        var options = new RequestOptions { IdempotencyKey = "credit:lost-answer" };

        await Assert.ThrowsAsync<StripeException>(() => client.V1.CreditNotes.CreateAsync(create, options));
        var replayed = await client.V1.CreditNotes.CreateAsync(create, options);

        var stored = Assert.Single(server.CreditNotes(Account(server)));
        Assert.Equal(stored.Id, replayed.Id);
        Assert.Equal(-6676, Balance(server, paid.CustomerId));
    }

    [Fact]
    public async Task A_revision_whose_create_answer_was_lost_is_replayed_under_its_key_and_the_original_is_revised_once()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, original) = await OpenTaxedInvoiceAsync(server);
        server.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/invoices", ReplaySuccess = true, Count = 1 });
        var create = Revision(original.Id);
        var options = new RequestOptions { IdempotencyKey = "revision:lost-answer" };

        await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.CreateAsync(create, options));
        var replayed = await client.V1.Invoices.CreateAsync(create, options);

        Assert.Single(server.Invoices(Account(server)), i => i.FromInvoiceId == original.Id);
        Assert.Equal(original.Id, replayed.FromInvoice.InvoiceId);
    }
}
