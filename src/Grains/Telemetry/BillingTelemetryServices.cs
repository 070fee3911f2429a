using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Timers;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Integrations.Taxes;

namespace TenantBilling.Grains.Telemetry;

public static class BillingTelemetryServices
{
    /// <summary>
    /// The product's meter and what feeds it: the statement counter, the bill runs' transitions and gauges, traces carried into grain timers, the Stripe
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
        services.AddSingleton<BillRunMetrics>();
        services.AddSingleton<IIncomingGrainCallFilter, StatementMetricsFilter>();
        services.TryAddTransient<StripeRequestMetrics>();
        services.AddHttpClient(StripeGateway.HttpClientName).AddHttpMessageHandler<StripeRequestMetrics>();
        Decorate<ITaxProvider>(services, (sp, inner) => new MeteredTaxProvider(inner, sp.GetRequiredService<BillingMetrics>(), sp.GetRequiredService<TimeProvider>()));
        Decorate<ITimerRegistry>(services, (_, inner) => new TracedTimerRegistry(inner));
        return services;
    }

    /// <summary>Wraps the last registration of <typeparamref name="T"/>, if there is one.</summary>
    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> wrap)
        where T : class
    {
        var index = services.Count - 1;
        while (index >= 0 && (services[index].ServiceType != typeof(T) || services[index].IsKeyedService))
        {
            index--;
        }

        if (index < 0)
        {
            return;
        }

        var inner = services[index];
        services[index] = ServiceDescriptor.Describe(typeof(T), sp => wrap(sp, Create<T>(sp, inner)), inner.Lifetime);
    }

    private static T Create<T>(IServiceProvider services, ServiceDescriptor descriptor) =>
        (T)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
