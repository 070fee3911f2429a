namespace TenantBilling.StripeFake;

/// <summary>A stateful fake of Stripe's HTTP API on loopback. Filled in by the Stripe work.</summary>
public sealed class StripeFakeServer;
