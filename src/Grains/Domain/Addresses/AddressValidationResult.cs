using System.Diagnostics.CodeAnalysis;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Addresses;

/// <summary>
/// The outcome of <see cref="AddressValidator.Validate"/>: the normalised address, what was corrected,
/// and either the jurisdiction (valid) or what does not match (invalid).
/// </summary>
public sealed class AddressValidationResult
{
    private AddressValidationResult(
        PostalAddress address,
        Jurisdiction? jurisdiction,
        IReadOnlyList<AddressCorrection> corrections,
        IReadOnlyList<AddressMismatch> mismatches)
    {
        Address = address;
        Jurisdiction = jurisdiction;
        Corrections = corrections;
        Mismatches = mismatches;
    }

    /// <summary>True when nothing mismatches; then <see cref="Jurisdiction"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Jurisdiction))]
    public bool IsValid => Jurisdiction is not null;

    /// <summary>
    /// The address normalised and with every correction applied. When invalid it is the best effort,
    /// still holding the values that did not match.
    /// </summary>
    public PostalAddress Address { get; }

    /// <summary>The tax jurisdiction from the ZIP database; null when the address is invalid.</summary>
    public Jurisdiction? Jurisdiction { get; }

    /// <summary>Each change made to a field beyond trimming white space, in field order.</summary>
    public IReadOnlyList<AddressCorrection> Corrections { get; }

    /// <summary>Each field that does not match, with what was expected; empty when valid.</summary>
    public IReadOnlyList<AddressMismatch> Mismatches { get; }

    internal static AddressValidationResult Valid(
        PostalAddress address, Jurisdiction jurisdiction, IReadOnlyList<AddressCorrection> corrections) =>
        new(address, jurisdiction, corrections, []);

    internal static AddressValidationResult Invalid(
        PostalAddress address, IReadOnlyList<AddressCorrection> corrections, IReadOnlyList<AddressMismatch> mismatches)
    {
        if (mismatches.Count == 0)
        {
            throw new ArgumentException("An invalid address has at least one mismatch.", nameof(mismatches));
        }

        return new(address, null, corrections, mismatches);
    }
}
