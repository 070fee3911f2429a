using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Integrations.Taxes;

namespace TenantBilling.Grains.Telemetry;

public static class BillingTelemetryServices
{
    /// <summary>
    /// The product's meter and what feeds it: the statement counter and timer-trace filters, the Stripe
    /// HttpClient's measuring handler, and the tax provider's timing decorator. Call it after the tax
    /// provider is registered (it wraps whichever one is). A second call changes nothing.
    /// </summary>
    public static IServiceCollection AddBillingTelemetry(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(BillingMetrics)))
        {
            return services;
        }

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<BillingMetrics>();
        services.AddSingleton<IIncomingGrainCallFilter, StatementMetricsFilter>();
        services.AddSingleton<IIncomingGrainCallFilter, TimerTraceContinuation>();
        services.TryAddTransient<StripeRequestMetrics>();
        services.AddHttpClient(StripeGateway.HttpClientName).AddHttpMessageHandler<StripeRequestMetrics>();
        DecorateTaxProvider(services);
        return services;
    }

    private static void DecorateTaxProvider(IServiceCollection services)
    {
        var index = services.Count - 1;
        while (index >= 0 && services[index].ServiceType != typeof(ITaxProvider))
        {
            index--;
        }

        if (index < 0)
        {
            return;
        }

        var inner = services[index];
        services[index] = ServiceDescriptor.Describe(
            typeof(ITaxProvider),
            sp => new MeteredTaxProvider(Create(sp, inner), sp.GetRequiredService<BillingMetrics>(), sp.GetRequiredService<TimeProvider>()),
            inner.Lifetime);
    }

    private static ITaxProvider Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (ITaxProvider)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
