using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TenantBilling.Grains.Integrations.Stripe;

namespace TenantBilling.Grains.Hosting;

/// <summary>Validates the billing and Stripe settings when the silo starts, so a wrong one stops it with the setting's name.</summary>
public static class OptionsValidation
{
    public static IServiceCollection AddBillingOptionsValidation(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BillingOptions>, BillingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StripeOptions>, StripeOptionsValidator>());
        services.AddOptions<BillingOptions>().ValidateOnStart();
        services.AddOptions<StripeOptions>().ValidateOnStart();
        return services;
    }
}
