namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// The carrier's only charge: a tenant with under $5.00 of the carrier's usage on the statement behind an
/// invoice is a phantom tenant, and every invoice finalized for one costs the account a fixed $5.00.
/// A one-time invoice uses the tenant's latest statement (none counts as $0).
/// </summary>
public static class PhantomFees
{
    public const decimal Threshold = 5.00m;
    public const decimal Fee = 5.00m;

    public static bool Applies(decimal usageTotal) => usageTotal < Threshold;
}
