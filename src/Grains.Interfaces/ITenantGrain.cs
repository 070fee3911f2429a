using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// One tenant of one account, keyed <c>{accountId}/{tenantId}</c>: its data, validated address,
/// billing profile and exemptions, the statements not yet invoiced and when each is due, and the
/// invoices it has handed over. The account's billing alarm for the due instant wakes it on the billing day.
/// </summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates or updates the tenant's data. An address change un-validates the address.</summary>
    Task<TenantSaved> SaveDetailsAsync(TenantDetails details);

    /// <summary>The tenant, or null when it does not exist.</summary>
    [AlwaysInterleave]
    Task<TenantView?> GetAsync();

    /// <summary>Validates and normalises the current address and records its jurisdiction. Unprocessable when it does not match.</summary>
    Task<AddressValidation> ValidateAddressAsync();

    /// <summary>Creates or replaces the billing profile. Conflict while the address is not validated.</summary>
    Task<BillingProfile> SetBillingProfileAsync(BillingProfileInput input);

    /// <summary>Deletes the billing profile; invoices not yet handed over are cancelled.</summary>
    Task DeleteBillingProfileAsync();

    /// <summary>Sets the tax categories the tenant is exempt from.</summary>
    Task<TaxExemptions> SetTaxExemptionsAsync(TaxExemptions exemptions);

    /// <summary>
    /// Accepts the statement of a closed month and schedules its invoice. The same content again
    /// changes nothing; other content replaces it while the month is not invoiced, else Conflict.
    /// </summary>
    Task<StatementAccepted> AcceptStatementAsync(string period, Statement statement);

    /// <summary>
    /// The invoice the month would produce now, through the same composition as the real one, with when
    /// it is sent or why it is not; sends nothing.
    /// </summary>
    Task<InvoicePreview> PreviewInvoiceAsync(string period);

    /// <summary>The tenant's invoices, newest first: scheduled ones and every one handed over.</summary>
    Task<IReadOnlyList<InvoiceSummary>> ListInvoicesAsync();

    /// <summary>Sends a one-time invoice now. The same request id never sends twice.</summary>
    Task<InvoiceSummary> SendOneTimeInvoiceAsync(string requestId, IReadOnlyList<OneTimeItem> items);

    /// <summary>Re-reads the clock: an invoice that became due (the test clock moved) is sent within seconds.</summary>
    Task WakeAsync();

    /// <summary>
    /// Hands over every invoice that is due now, and returns once each one is handed over or its retry is
    /// arranged (an invoice waiting for its taxes, a hand-over that failed). Called by the account's billing alarm.
    /// </summary>
    Task HandOverDueAsync();
}
