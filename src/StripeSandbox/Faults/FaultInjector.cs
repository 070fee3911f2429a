using System.Text.RegularExpressions;

namespace TenantBilling.StripeSandbox.Faults;

/// <summary>The registered faults; the first matching one with strikes left fires.</summary>
internal sealed class FaultInjector
{
    private readonly Lock gate = new();
    private List<(FaultHandle Handle, Regex Path)> rules = [];

    public FaultHandle Add(FaultRule rule)
    {
        var handle = new FaultHandle(rule, this.Remove);
        var regex = new Regex("^" + Regex.Escape(rule.Path).Replace(@"\*\*", ".*", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "/?$", RegexOptions.CultureInvariant);
        lock (this.gate)
        {
            this.rules = [.. this.rules, (handle, regex)];
        }

        return handle;
    }

    public void Clear()
    {
        lock (this.gate)
        {
            this.rules = [];
        }
    }

    public FaultRule? Next(string method, string path, string? account)
    {
        // Copy-on-write list: the hot path reads without locking.
        foreach (var (handle, regex) in Volatile.Read(ref this.rules))
        {
            var rule = handle.Rule;
            if ((rule.Method is null || string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase))
                && (rule.AccountId is null || rule.AccountId == account)
                && regex.IsMatch(path)
                && handle.TryFire())
            {
                return rule;
            }
        }

        return null;
    }

    private void Remove(FaultHandle handle)
    {
        lock (this.gate)
        {
            this.rules = this.rules.Where(r => !ReferenceEquals(r.Handle, handle)).ToList();
        }
    }
}
