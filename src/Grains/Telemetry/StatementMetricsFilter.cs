using System.Reflection;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Telemetry;

/// <summary>
/// Counts statements where every route delivers them, at <see cref="ITenantGrain.AcceptStatementAsync"/>:
/// its outcome when accepted, the kind of refusal otherwise (<c>tenant_billing.statements.received</c>).
/// </summary>
public sealed class StatementMetricsFilter(BillingMetrics metrics) : IIncomingGrainCallFilter
{
    private static readonly MethodInfo AcceptStatement = typeof(ITenantGrain).GetMethod(nameof(ITenantGrain.AcceptStatementAsync))!;

    /// <summary>Every other call is passed on as it is, not awaited here: no state machine and no extra continuation per grain call.</summary>
    public Task Invoke(IIncomingGrainCallContext context) =>
        context.InterfaceMethod == AcceptStatement ? CountAsync(context) : context.Invoke();

    private async Task CountAsync(IIncomingGrainCallContext context)
    {
        string outcome;
        try
        {
            await context.Invoke();
            outcome = context.Result is StatementAccepted accepted ? OutcomeOf(accepted.Outcome) : "failed";
        }
        catch (BillingProblemException problem)
        {
            metrics.StatementReceived(RefusalOf(problem.Kind));
            throw;
        }
        catch
        {
            metrics.StatementReceived("failed");
            throw;
        }

        metrics.StatementReceived(outcome);
    }

    public static string OutcomeOf(StatementOutcome outcome) => outcome switch
    {
        StatementOutcome.Created => "created",
        StatementOutcome.Replayed => "replayed",
        StatementOutcome.Replaced => "replaced",
        _ => "failed",
    };

    public static string RefusalOf(ProblemKind kind) => kind switch
    {
        ProblemKind.Validation => "invalid",
        ProblemKind.NotFound => "not_found",
        ProblemKind.Conflict => "conflict",
        ProblemKind.Unprocessable => "unprocessable",
        ProblemKind.Unavailable => "unavailable",
        _ => "failed",
    };
}
