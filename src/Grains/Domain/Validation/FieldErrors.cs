namespace TenantBilling.Grains.Domain.Validation;

/// <summary>Collects messages per field path (camelCase, as in the JSON body: <c>address.postalCode</c>).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>Trimmed text, or an error when it is missing, blank, too long or not plain text (<see cref="TextRules"/>).</summary>
    public string? RequiredText(string field, string? value, int maxLength)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            Add(field, "Required.");
            return null;
        }

        return PlainText(field, text, maxLength);
    }

    /// <summary>Trimmed text or null when blank; an error when too long or not plain text (<see cref="TextRules"/>).</summary>
    public string? OptionalText(string field, string? value, int maxLength)
    {
        var text = value?.Trim();
        return string.IsNullOrEmpty(text) ? null : PlainText(field, text, maxLength);
    }

    public T? Required<T>(string field, T? value)
        where T : struct
    {
        if (value is null)
        {
            Add(field, "Required.");
        }

        return value;
    }

    /// <summary>A non-negative amount with at most <paramref name="maxDecimals"/> decimals, no more than <paramref name="max"/>.</summary>
    public decimal? Amount(string field, decimal? value, int maxDecimals, decimal max, bool allowZero = true)
    {
        if (value is not { } amount)
        {
            Add(field, "Required.");
            return null;
        }

        if (amount < 0 || (!allowZero && amount == 0))
        {
            Add(field, allowZero ? "Must be zero or more." : "Must be more than zero.");
        }
        else if (amount > max)
        {
            Add(field, $"Must be at most {max}.");
        }
        else if (Money.DecimalPlaces(amount) > maxDecimals)
        {
            Add(field, $"At most {maxDecimals} decimal places.");
        }
        else
        {
            return amount;
        }

        return null;
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    private string? PlainText(string field, string text, int maxLength)
    {
        if (text.Length > maxLength)
        {
            Add(field, $"At most {maxLength} characters.");
            return null;
        }

        if (TextRules.FirstForbidden(text) is { } forbidden)
        {
            Add(field, TextRules.Problem(forbidden));
            return null;
        }

        return text;
    }
}
