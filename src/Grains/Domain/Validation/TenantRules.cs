using System.Text.RegularExpressions;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Validation;

/// <summary>
/// Rules for tenant data. Phones are stored in E.164: "+" and 8–15 digits, or a 10-digit NANP number
/// (area code and exchange starting 2–9, optionally written with a leading 1, spaces, dots, dashes or
/// parentheses) which becomes +1XXXXXXXXXX. Emails need one "@" and a dotted domain, no spaces.
/// Addresses are stored trimmed as given; <c>address/validate</c> normalises them.
/// </summary>
public static partial class TenantRules
{
    /// <summary>An address as it arrives, every part possibly missing.</summary>
    public readonly record struct AddressParts(string? Line1, string? Line2, string? City, string? State, string? PostalCode, string? Country);

    public static TenantDetails? Validate(
        FieldErrors errors, string? name, string? phone, string? billingEmail, string? contactName, string? contactPhone, AddressParts? address)
    {
        var validName = errors.RequiredText("name", name, Limits.NameLength);
        var validPhone = Phone(errors, "phone", phone);
        var validEmail = Email(errors, "billingEmail", billingEmail);
        var validContactName = errors.RequiredText("contactName", contactName, Limits.NameLength);
        var validContactPhone = Phone(errors, "contactPhone", contactPhone);
        var validAddress = Address(errors, "address", address);

        return errors.IsEmpty
            ? new TenantDetails(validName!, validPhone!, validEmail!, validContactName!, validContactPhone!, validAddress!)
            : null;
    }

    /// <summary>The address as given, trimmed, with its shape checked (the ZIP database is consulted on validation).</summary>
    public static PostalAddress? Address(FieldErrors errors, string field, AddressParts? given)
    {
        if (given is not { } address)
        {
            errors.Add(field, "Required.");
            return null;
        }

        var line1 = errors.RequiredText($"{field}.line1", address.Line1, Limits.AddressLineLength);
        var line2 = errors.OptionalText($"{field}.line2", address.Line2, Limits.AddressLineLength);
        var city = errors.RequiredText($"{field}.city", address.City, Limits.CityLength);
        var state = errors.RequiredText($"{field}.state", address.State, 2);
        if (state is not null && !StatePattern().IsMatch(state))
        {
            errors.Add($"{field}.state", "A two-letter USPS state code.");
        }

        var postalCode = errors.RequiredText($"{field}.postalCode", address.PostalCode, Limits.PostalCodeLength);
        if (postalCode is not null && !PostalCodePattern().IsMatch(postalCode))
        {
            errors.Add($"{field}.postalCode", "A 5-digit ZIP code or ZIP+4 (12345 or 12345-6789).");
        }

        var country = errors.RequiredText($"{field}.country", address.Country, 2);
        if (country is not null && !string.Equals(country, "US", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{field}.country", "Only US addresses are supported (\"US\").");
        }

        return line1 is null || city is null || state is null || postalCode is null || country is null
            ? null
            : new PostalAddress(line1, line2, city, state, postalCode, country.ToUpperInvariant());
    }

    /// <summary>The phone in E.164, or null with an error.</summary>
    public static string? Phone(FieldErrors errors, string field, string? value)
    {
        var text = errors.RequiredText(field, value, 32);
        if (text is null)
        {
            return null;
        }

        var compact = PhoneSeparators().Replace(text, string.Empty);
        if (compact.StartsWith('+'))
        {
            if (E164Pattern().IsMatch(compact))
            {
                return compact;
            }
        }
        else if (compact.Length == 11 && compact[0] == '1' && NanpPattern().IsMatch(compact[1..]))
        {
            return "+" + compact;
        }
        else if (NanpPattern().IsMatch(compact))
        {
            return "+1" + compact;
        }

        errors.Add(field, "An E.164 number (+15125550100) or a 10-digit NANP number (512 555 0100).");
        return null;
    }

    public static string? Email(FieldErrors errors, string field, string? value)
    {
        var text = errors.RequiredText(field, value, Limits.EmailLength);
        if (text is not null && !EmailPattern().IsMatch(text))
        {
            errors.Add(field, "An email address (name@example.com).");
            return null;
        }

        return text;
    }

    [GeneratedRegex("^[A-Za-z]{2}$")]
    private static partial Regex StatePattern();

    [GeneratedRegex(@"^\d{5}(-?\d{4})?$")]
    private static partial Regex PostalCodePattern();

    [GeneratedRegex(@"[\s().-]")]
    private static partial Regex PhoneSeparators();

    [GeneratedRegex(@"^\+[1-9]\d{7,14}$")]
    private static partial Regex E164Pattern();

    [GeneratedRegex(@"^[2-9]\d{2}[2-9]\d{6}$")]
    private static partial Regex NanpPattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();
}
