using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Taxes;

/// <summary>The tax codes a rate table may hold. Only some are charged; the rest are kept for reference.</summary>
public enum TaxTableCode
{
    /// <summary>Federal Universal Service Fund contribution factor (charged on the interstate share).</summary>
    Fusf,
    /// <summary>Share of interconnected VoIP revenue deemed interstate (FCC 06-94 safe harbour).</summary>
    FusfVoipSafeHarbor,
    /// <summary>TRS fund factor, non-internet: a provider contribution, never a bill charge.</summary>
    TrsNonIp,
    /// <summary>TRS fund factor, internet-based: a provider contribution, never a bill charge.</summary>
    TrsIp,
    /// <summary>State 911 fee on VoIP: per line per month, or a percentage of intrastate charges.</summary>
    E911Voip,
    /// <summary>State general sales tax rate, charged only where VoIP is found taxable.</summary>
    StateSales,
    /// <summary>Whether the state's sales tax applies to interconnected VoIP.</summary>
    StateVoipTaxability,
    /// <summary>State telecom excise tax: VoIP's liability is uncertain, so it is not charged.</summary>
    StateTelecomExcise,
}

/// <summary>How a table row's figure applies.</summary>
public enum TaxRowBasis
{
    /// <summary>A fraction of a charge (which charge depends on the tax).</summary>
    Percent,
    /// <summary>A fraction of the intrastate share of a charge.</summary>
    PercentOfIntrastateCharges,
    /// <summary>A flat USD amount per line per month.</summary>
    PerLinePerMonth,
    /// <summary>A yes/no finding, no figure.</summary>
    TaxabilityFlag,
}

/// <summary>Wire codes, classes and invoice names of the table's tax codes.</summary>
public static class TaxTableCodes
{
    private static readonly (string Code, TaxTableCode Value)[] Codes =
    [
        ("FUSF", TaxTableCode.Fusf),
        ("FUSF_VOIP_SAFE_HARBOR", TaxTableCode.FusfVoipSafeHarbor),
        ("TRS_NON_IP", TaxTableCode.TrsNonIp),
        ("TRS_IP", TaxTableCode.TrsIp),
        ("E911_VOIP", TaxTableCode.E911Voip),
        ("STATE_SALES", TaxTableCode.StateSales),
        ("STATE_VOIP_TAXABILITY", TaxTableCode.StateVoipTaxability),
        ("STATE_TELECOM_EXCISE", TaxTableCode.StateTelecomExcise),
    ];

    /// <summary>Number of codes, for arrays indexed by code.</summary>
    public static int Count => Codes.Length;

    public static IEnumerable<string> All => Codes.Select(c => c.Code);

    public static bool TryParse(string text, out TaxTableCode code)
    {
        foreach (var (name, value) in Codes)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                code = value;
                return true;
            }
        }

        code = default;
        return false;
    }

    public static string ToCode(TaxTableCode code) => Codes[(int)code].Code;

    /// <summary>The level a row of this code must have.</summary>
    public static TaxLevel LevelOf(TaxTableCode code) => code switch
    {
        TaxTableCode.Fusf or TaxTableCode.FusfVoipSafeHarbor or TaxTableCode.TrsNonIp or TaxTableCode.TrsIp => TaxLevel.Federal,
        _ => TaxLevel.State,
    };

    public static TaxClass ClassOf(TaxTableCode code) => code switch
    {
        TaxTableCode.Fusf or TaxTableCode.FusfVoipSafeHarbor or TaxTableCode.TrsNonIp or TaxTableCode.TrsIp => TaxClass.Federal,
        TaxTableCode.StateSales or TaxTableCode.StateVoipTaxability => TaxClass.Sales,
        _ => TaxClass.StateLocal,
    };

    /// <summary>
    /// Whether the built-in provider ever charges this code. The others are carried so the table
    /// keeps its sources whole, and so a replacement engine can be checked against them.
    /// </summary>
    public static bool IsCharged(TaxTableCode code) =>
        code is TaxTableCode.Fusf or TaxTableCode.E911Voip or TaxTableCode.StateSales;

    /// <summary>A short name for the invoice; the table's own names carry source caveats unfit for customers.</summary>
    public static string InvoiceName(TaxTableCode code, string jurisdictionCode) => code switch
    {
        TaxTableCode.Fusf => "Federal Universal Service Fund",
        TaxTableCode.E911Voip => $"{jurisdictionCode} 911 fee",
        TaxTableCode.StateSales => $"{jurisdictionCode} state sales tax",
        _ => $"{jurisdictionCode} {ToCode(code)}",
    };
}
