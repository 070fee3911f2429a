using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Corrections;

/// <summary>One invoice's corrections: the void's progress and every credit, by request id.</summary>
[GenerateSerializer, Alias("invoice-correction-state")]
public sealed class InvoiceCorrectionState
{
    /// <summary>Voids sent that Stripe answered with a 5xx: each next one goes under a new key (Stripe replays a 5xx for its key).</summary>
    [Id(0)] public int VoidAttempt { get; set; }

    [Id(1)] public DateTimeOffset? VoidedAt { get; set; }

    [Id(2)] public List<CreditEntry> Credits { get; set; } = [];
}

/// <summary>
/// A credit, from the moment it is sent: the request (a request id never meets two bodies), the Stripe key's attempt,
/// and, once Stripe issued it, the result and the taxes it gave back (recorded in the ledger once).
/// </summary>
[GenerateSerializer, Alias("credit-entry")]
public sealed class CreditEntry
{
    [Id(0)] public required CreditRequest Request { get; init; }

    [Id(1)] public int Attempt { get; set; }

    [Id(2)] public CreditResult? Result { get; set; }

    [Id(3)] public List<CreditedTaxPart> Taxes { get; set; } = [];

    [Id(4)] public bool LedgerRecorded { get; set; }

    /// <summary>The taxes given back per invoice tax line, as the tax report lists them.</summary>
    [Id(5)] public List<InvoiceTaxLine> ReportTaxes { get; set; } = [];
}
