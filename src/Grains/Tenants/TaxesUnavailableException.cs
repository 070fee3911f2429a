namespace TenantBilling.Grains.Tenants;

/// <summary>Taxes could not be rated now (provider down, address not validated): the invoice waits and is retried.</summary>
public sealed class TaxesUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
