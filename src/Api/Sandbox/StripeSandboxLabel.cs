namespace TenantBilling.Api.Sandbox;

/// <summary>
/// Whether this process's Stripe is the local sandbox. Answers that concern Stripe carry it as
/// <c>sandbox</c> (the account's Stripe connection, each invoice), so nothing from the sandbox can be
/// taken for a Stripe object.
/// </summary>
public sealed record StripeSandboxLabel(bool IsSandbox);
