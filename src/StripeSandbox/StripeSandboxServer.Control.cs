using TenantBilling.StripeSandbox.Api;
using TenantBilling.StripeSandbox.State;
using TenantBilling.StripeSandbox.Webhooks;

namespace TenantBilling.StripeSandbox;

// The test-control API: shape behaviour, read state, build and deliver signed webhooks.
public sealed partial class StripeSandboxServer
{
    /// <summary>The account an API key stands for when a request carries no <c>Stripe-Account</c> header.</summary>
    public string PlatformAccountId(string apiKey) => this.pipeline.PlatformAccount(apiKey);

    /// <summary>
    /// Sets the account's default currency, which Stripe gives an invoice or item that names none (a
    /// reseller outside the US, say). The fake must have seen a request for the account.
    /// </summary>
    public void SetDefaultCurrency(string accountId, string currency)
    {
        var account = this.RequireAccount(accountId);
        lock (account.Gate)
        {
            account.DefaultCurrency = currency.ToLowerInvariant();
        }
    }

    /// <summary>Gives an account its own rate limit (null: unlimited), starting with a full bucket.</summary>
    public void SetRateLimit(string accountId, RateLimit? limit) => this.rateLimiter.Set(accountId, limit);

    /// <summary>Registers a fault; it strikes matching requests until its count is used up or it is removed.</summary>
    public FaultHandle InjectFault(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return this.faults.Add(rule);
    }

    /// <summary>Removes every registered fault.</summary>
    public void ClearFaults() => this.faults.Clear();

    /// <summary>From now on this key answers 401 <c>api_key_expired</c>.</summary>
    public void RevokeApiKey(string apiKey) => this.pipeline.RevokeKey(apiKey);

    /// <summary>From now on requests with <c>Stripe-Account: accountId</c> answer 403 <c>account_invalid</c> (Connect access revoked).</summary>
    public void RevokeAccountAccess(string accountId) => this.pipeline.RevokeAccount(accountId);

    /// <summary>
    /// Makes <paramref name="apiKey"/> a restricted key without permission for <paramref name="deniedRoutes"/>
    /// (templates such as <c>GET /v1/account</c>): those answer 403 as Stripe does.
    /// </summary>
    public void RestrictApiKey(string apiKey, params string[] deniedRoutes) => this.pipeline.Restrict(apiKey, deniedRoutes);

    /// <summary>Makes a key revoked with <see cref="RevokeApiKey"/> work again (the account rolled it back).</summary>
    public void RestoreApiKey(string apiKey) => this.pipeline.RestoreKey(apiKey);

    /// <summary>
    /// Saves a test card on a customer, as the account's Dashboard would: with <see cref="SavedCardStyle.PaymentMethod"/>
    /// a <c>pm_</c> card set as <c>invoice_settings.default_payment_method</c>, with <see cref="SavedCardStyle.LegacySource"/>
    /// an older customer's <c>card_</c> source set as <c>default_source</c>. By default the style of
    /// <see cref="StripeSandboxOptions.SavedCards"/>. Returns the card's id.
    /// </summary>
    public string AttachCard(string accountId, string customerId, FakeCard card = FakeCard.Visa, bool makeDefault = true, SavedCardStyle? style = null)
    {
        var account = this.RequireAccount(accountId);
        lock (account.Gate)
        {
            var customer = account.Customers.GetValueOrDefault(customerId)
                ?? throw new InvalidOperationException($"No customer {customerId} in account {accountId}.");
            var legacy = (style ?? this.Options.SavedCards) == SavedCardStyle.LegacySource;
            var pm = PaymentMethods.Add(account, customer.Id, card, this.Options.TimeProvider.GetUtcNow(), legacy ? "card" : "pm");
            if (makeDefault && legacy)
            {
                customer.DefaultSourceId = pm.Id;
            }
            else if (makeDefault)
            {
                customer.DefaultPaymentMethodId = pm.Id;
            }

            return pm.Id;
        }
    }

    /// <summary>Gives a customer a coupon of <paramref name="percentOff"/> percent (as the account's Dashboard would); invoices inherit it unless created with <c>discounts=</c>.</summary>
    public void SetCustomerDiscount(string accountId, string customerId, decimal percentOff) =>
        this.WithCustomer(accountId, customerId, (account, customer, now) =>
        {
            var coupon = new DiscountRecord(Ids.New("di"), "coupon_" + Ids.New("c")[2..10], percentOff, now);
            account.Coupons[coupon.CouponId] = coupon;
            customer.Discount = coupon;
        });

    /// <summary>Sets a customer's invoice balance in cents (negative: credit), applied to its next finalized invoice.</summary>
    public void SetCustomerBalance(string accountId, string customerId, long balance) =>
        this.WithCustomer(accountId, customerId, (_, customer, _) => customer.Balance = balance);

    /// <summary>The account's tax rates, including those archived from tax amounts' <c>tax_rate_data</c>.</summary>
    public IReadOnlyList<FakeTaxRate> TaxRates(string accountId) =>
        this.Read(accountId, a => a.TaxRates.Values.Select(ToView).ToList()) ?? [];

    private void WithCustomer(string accountId, string customerId, Action<AccountState, CustomerRecord, DateTimeOffset> change)
    {
        var account = this.RequireAccount(accountId);
        lock (account.Gate)
        {
            var customer = account.Customers.GetValueOrDefault(customerId)
                ?? throw new InvalidOperationException($"No customer {customerId} in account {accountId}.");
            change(account, customer, this.Options.TimeProvider.GetUtcNow());
        }
    }

    /// <summary>The account's customers, oldest first.</summary>
    public IReadOnlyList<FakeCustomer> Customers(string accountId) =>
        this.Read(accountId, a => a.Customers.Values.Select(c => ToView(a, c)).ToList()) ?? [];

    /// <summary>One customer, or null.</summary>
    public FakeCustomer? FindCustomer(string accountId, string customerId) =>
        this.Read(accountId, a => a.Customers.TryGetValue(customerId, out var c) ? ToView(a, c) : null);

    /// <summary>The account's invoices, oldest first.</summary>
    public IReadOnlyList<FakeInvoice> Invoices(string accountId) =>
        this.Read(accountId, a => a.Invoices.Values.OrderBy(i => i.Sequence).Select(i => ToView(a, i)).ToList()) ?? [];

    /// <summary>One invoice, or null.</summary>
    public FakeInvoice? FindInvoice(string accountId, string invoiceId) =>
        this.Read(accountId, a => a.Invoices.TryGetValue(invoiceId, out var i) ? ToView(a, i) : null);

    /// <summary>The account's credit notes, in the order they were issued.</summary>
    public IReadOnlyList<FakeCreditNote> CreditNotes(string accountId) =>
        this.Read(accountId, a => a.CreditNotes.Values.Select(ToView).ToList()) ?? [];

    /// <summary>The account's invoice items, attached and pending.</summary>
    public IReadOnlyList<FakeInvoiceItem> InvoiceItems(string accountId) =>
        this.Read(accountId, a => a.InvoiceItems.Values
            .Select(i => new FakeInvoiceItem(i.Id, i.CustomerId, i.InvoiceId, i.Amount, i.Currency, i.Description)).ToList()) ?? [];

    /// <summary>Events recorded for the account, oldest first (<c>invoice.created</c>, <c>invoice.finalized</c>, <c>invoice.paid</c>, ...).</summary>
    public IReadOnlyList<FakeEvent> Events(string accountId) => this.Read(accountId, a => a.Events.ToList()) ?? [];

    /// <summary>
    /// Records a new event of <paramref name="eventType"/> (e.g. <c>invoice.paid</c>) carrying the invoice as it is
    /// now, and signs it for <paramref name="secret"/> at <paramref name="timestamp"/> (default: the fake's clock).
    /// </summary>
    public SignedWebhook BuildWebhook(string accountId, string invoiceId, string eventType, string secret, DateTimeOffset? timestamp = null)
    {
        var account = this.RequireAccount(accountId);
        FakeEvent evt;
        lock (account.Gate)
        {
            var invoice = account.Invoices.GetValueOrDefault(invoiceId)
                ?? throw new InvalidOperationException($"No invoice {invoiceId} in account {accountId}.");
            evt = EventFactory.ForInvoice(account, invoice, eventType, this.Options.ApiVersion, this.Options.TimeProvider.GetUtcNow(), null, null);
        }

        return this.Sign(evt, secret, timestamp);
    }

    /// <summary>
    /// A thin event of <paramref name="eventType"/> (e.g. <c>v1.invoice.paid</c>) naming the invoice, signed for
    /// <paramref name="secret"/>, as an event destination with thin payloads delivers it.
    /// </summary>
    public SignedWebhook BuildThinWebhook(string accountId, string invoiceId, string eventType, string secret, DateTimeOffset? timestamp = null)
    {
        var account = this.RequireAccount(accountId);
        FakeEvent evt;
        lock (account.Gate)
        {
            var invoice = account.Invoices.GetValueOrDefault(invoiceId)
                ?? throw new InvalidOperationException($"No invoice {invoiceId} in account {accountId}.");
            evt = EventFactory.ThinForInvoice(account, invoice, eventType, this.Options.TimeProvider.GetUtcNow());
        }

        return this.Sign(evt, secret, timestamp);
    }

    /// <summary>Signs any body for <paramref name="secret"/> (a test's malformed payload with a valid signature, say).</summary>
    public SignedWebhook SignPayload(string payload, string secret, DateTimeOffset? timestamp = null) =>
        new("evt_unrecorded", "unknown", payload, WebhookSigner.SignatureHeader(payload, secret, timestamp ?? this.Options.TimeProvider.GetUtcNow()));

    /// <summary>Signs a recorded event for <paramref name="secret"/> at <paramref name="timestamp"/> (default: the fake's clock).</summary>
    public SignedWebhook Sign(FakeEvent evt, string secret, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var header = WebhookSigner.SignatureHeader(evt.Payload, secret, timestamp ?? this.Options.TimeProvider.GetUtcNow());
        return new SignedWebhook(evt.Id, evt.Type, evt.Payload, header);
    }

    /// <summary>POSTs a signed webhook to <paramref name="url"/> with its <c>Stripe-Signature</c> header.</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(Uri url, SignedWebhook webhook, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return this.webhooks.PostAsync(url, webhook.Payload, webhook.SignatureHeader, cancellationToken);
    }

    /// <summary>From now on every recorded event is signed for <paramref name="secret"/> and POSTed to <paramref name="url"/> in the background.</summary>
    public void AddWebhookEndpoint(Uri url, string secret) => this.webhooks.AddEndpoint(url, secret);

    /// <summary>Background deliveries to registered endpoints so far.</summary>
    public IReadOnlyList<WebhookDelivery> WebhookDeliveries => this.webhooks.Deliveries;

    /// <summary>Completes when every background delivery started so far has finished.</summary>
    public Task WhenWebhooksDeliveredAsync() => this.webhooks.WhenIdleAsync();

    /// <summary>Zeroes the counters and empties the request log (objects and idempotency keys stay).</summary>
    public void ResetCounters()
    {
        this.Counters.Reset();
        this.log.Clear();
    }

    private AccountState RequireAccount(string accountId) =>
        this.accounts.Find(accountId) ?? throw new InvalidOperationException($"The fake has seen no request for account {accountId}.");

    private T? Read<T>(string accountId, Func<AccountState, T?> read)
        where T : class
    {
        var account = this.accounts.Find(accountId);
        if (account is null)
        {
            return null;
        }

        lock (account.Gate)
        {
            return read(account);
        }
    }

    private static FakeCustomer ToView(AccountState a, CustomerRecord c) =>
        new(c.Id, a.Id, c.Name, c.Email, c.Phone, c.Description, c.DefaultPaymentMethodId, c.InvoicePrefix, new Dictionary<string, string>(c.Metadata), c.Created)
        {
            DefaultSourceId = c.DefaultSourceId,
            Balance = c.Balance,
            DiscountPercentOff = c.Discount?.PercentOff,
        };

    private static FakeTaxRate ToView(TaxRateRecord r) =>
        new(r.Id, r.DisplayName, r.Percentage, r.Inclusive, r.Jurisdiction, r.JurisdictionLevel, r.Country, r.State, r.TaxType, r.Description, r.Active);

    private static FakeInvoice ToView(AccountState a, InvoiceRecord i) =>
        new(
            i.Id,
            a.Id,
            i.CustomerId,
            i.Status,
            i.CollectionMethod,
            i.Number,
            i.Currency,
            i.Subtotal,
            i.Total,
            i.AmountDue,
            i.AmountPaid,
            i.AmountRemaining,
            i.AttemptCount,
            i.SendCount,
            i.Description,
            i.HostedInvoiceUrl,
            i.DueDate,
            new Dictionary<string, string>(i.Metadata),
            i.Lines.Select(l => new FakeInvoiceLine(l.LineId, l.Id, l.Amount, l.Currency, l.Description, l.Quantity, l.UnitAmountDecimal, new Dictionary<string, string>(l.Metadata))
            {
                Discountable = l.Discountable,
                DiscountAmount = l.DiscountAmount,
                Taxes = l.Taxes.Select(t => new FakeLineTax(t.Amount, t.TaxableAmount, ToView(a.TaxRates[t.TaxRateId]))).ToList(),
            }).ToList(),
            i.Created)
        {
            TotalTaxes = i.ExclusiveTax,
            TotalDiscount = i.TotalDiscount,
            StartingBalance = i.StartingBalance,
            EndingBalance = i.EndingBalance,
            PaidBelowMinimum = i.PaidBelowMinimum,
            Discounted = i.Discount is not null,
            FromInvoiceId = i.FromInvoiceId,
            LatestRevisionId = i.LatestRevisionId,
            CreditNotesTotal = i.CreditNotesTotal,
        };

    private static FakeCreditNote ToView(CreditNoteRecord n) =>
        new(n.Id, n.Number, n.InvoiceId, n.CustomerId, n.Type, n.Subtotal, n.ExclusiveTax, n.Total, n.CreditAmount, n.RefundAmount, n.OutOfBandAmount,
            n.Lines.Select(l => new FakeCreditNoteLine(l.InvoiceLineId, l.Amount, l.Taxes.Sum(t => t.Amount))).ToList());
}
