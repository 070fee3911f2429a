namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>The Stripe account a connection reaches, as <c>GET /v1/account</c> shows it.</summary>
public sealed record StripeAccountInfo(string Id, bool ChargesEnabled);
