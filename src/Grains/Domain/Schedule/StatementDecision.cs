using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Schedule;

/// <summary>What accepting a statement answers, and whether the book changed (so the caller knows whether to persist it).</summary>
public sealed record StatementDecision(StatementAccepted Answer, bool Changed);
