using TenantBilling.StripeSandbox.Http;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>Stripe's metadata rules: keys merge, an empty value removes a key, <c>metadata=</c> clears all; 50 keys at most.</summary>
internal static class MetadataUpdate
{
    public static void Apply(FormParams form, string name, Dictionary<string, string> target)
    {
        var update = form.Metadata(name, out var clearAll);
        if (update is null)
        {
            return;
        }

        if (clearAll)
        {
            target.Clear();
        }

        foreach (var (key, value) in update)
        {
            if (key.Length > 40)
            {
                throw StripeApiException.InvalidRequest($"Invalid metadata key: keys can be at most 40 characters ({key}).", $"{name}[{key}]");
            }

            if (value is null)
            {
                target.Remove(key);
            }
            else if (value.Length > 500)
            {
                throw StripeApiException.InvalidRequest($"Invalid metadata value for {key}: values can be at most 500 characters.", $"{name}[{key}]");
            }
            else
            {
                target[key] = value;
            }
        }

        if (target.Count > 50)
        {
            throw StripeApiException.InvalidRequest("Invalid metadata: at most 50 keys are allowed.", name);
        }
    }
}
