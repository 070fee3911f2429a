using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace TenantBilling.Grains.Hosting;

/// <summary>
/// Refuses at start a retry interval Orleans could not register as a reminder period: under the silo's
/// minimum reminder period (<see cref="ReminderOptions.MinimumReminderPeriod"/>, 1 minute unless a test
/// silo lowers it) every invoice reminder would fail to register, so nothing would ever be retried.
/// </summary>
public sealed class BillingOptionsValidator(IOptions<ReminderOptions> reminders) : IValidateOptions<BillingOptions>
{
    public ValidateOptionsResult Validate(string? name, BillingOptions options)
    {
        var minimum = reminders.Value.MinimumReminderPeriod;
        return options.RetryInterval < minimum
            ? ValidateOptionsResult.Fail(
                $"{BillingOptions.Section}:{nameof(BillingOptions.RetryInterval)} is {options.RetryInterval:c}, under Orleans' minimum reminder period " +
                $"of {minimum:c}: the invoice reminders could not be registered. Set it to {minimum:c} or more.")
            : ValidateOptionsResult.Success;
    }
}
