using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.OpenApi;
using TenantBilling.Grains;
using TenantBilling.Grains.Domain.Validation;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Apis;

public static partial class StatementsApi
{
    /// <summary>Batch lines processed at once; results are still written in line order.</summary>
    private const int BatchConcurrency = 256;

    /// <summary>A batch line longer than this is refused on its own (a statement is a few hundred bytes).</summary>
    private const int MaxLineBytes = 64 * 1024;

    public static RouteGroupBuilder MapStatementsApi(this RouteGroupBuilder v1)
    {
        v1.MapPut("/accounts/{accountId}/tenants/{tenantId}/statements/{period}", PutStatement)
            .OperatorOnly().Problems(409).WithTags("Statements")
            .WithName("PutStatement").WithSummary("Deliver a statement")
            .WithDescription("Operator only. A tenant's usage for a closed month: 201 new; 200 for the same content again (replayed) or other content while the month is not invoiced (replaced). Once the month's invoice is void, any statement for it (the same one too) is 201 `revised`: the month is invoiced again at once as its next revision (yyyy-MM-r1, -r2, …), naming the voided invoice; other content while the invoice is open in Stripe voids it first (503 when Stripe did not answer: send it again). 409 for other content once the invoice is paid (credit it instead) or otherwise past changing. `scheduledFor` is when the invoice is due; when nothing is scheduled, `reason` says why.");

        v1.MapPost("/statements/batch", PostBatch)
            .OperatorOnly().WithTags("Statements")
            .WithMetadata(new UnlimitedBodyAttribute())
            .Accepts<BatchStatementLine>("application/x-ndjson")
            .Produces<BatchLineResult>(StatusCodes.Status200OK, "application/x-ndjson")
            .WithName("PostStatementBatch").WithSummary("Deliver statements in a batch")
            .WithDescription("Operator only. NDJSON in (one statement per line, with accountId, tenantId and period), one NDJSON result per line out, in line order, with the status the single route would have given; a bad line fails alone. Answers are streamed while the body is still arriving: read the answer while sending (curl -T does), or send batches of a few thousand lines.");
        return v1;
    }

    private static async Task<Results<Created<StatementResponse>, Ok<StatementResponse>>> PutStatement(
        string accountId, string tenantId, string period, StatementRequest request, IGrainFactory grains, [FromKeyedServices(BillingClock.Key)] TimeProvider time)
    {
        var key = Ids.Tenant(accountId, tenantId);
        var errors = new FieldErrors();
        var statement = BillingRules.Statement(errors, period, time.GetUtcNow(), request.UsageTotal, request.Quantities);
        Ids.ThrowIfInvalid(errors);
        var accepted = await grains.GetGrain<ITenantGrain>(key).AcceptStatementAsync(period, statement!);
        var response = StatementResponse.From(accepted);
        return accepted.Outcome is StatementOutcome.Created or StatementOutcome.Revised
            ? TypedResults.Created($"/v1/accounts/{accountId}/tenants/{tenantId}/statements/{period}", response)
            : TypedResults.Ok(response);
    }

    private static async Task PostBatch(
        HttpContext http, IGrainFactory grains, [FromKeyedServices(BillingClock.Key)] TimeProvider time, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<BatchLineResult> logger)
    {
        var options = json.Value.SerializerOptions;
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/x-ndjson";
        var inFlight = new Queue<Task<BatchLineResult>>(BatchConcurrency);
        var output = http.Response.BodyWriter;

        await foreach (var (number, line) in ReadLinesAsync(http.Request.BodyReader, http.RequestAborted))
        {
            inFlight.Enqueue(ProcessLineAsync(number, line, grains, time, options, logger));
            if (inFlight.Count >= BatchConcurrency)
            {
                await WriteAsync(output, await inFlight.Dequeue(), options, http.RequestAborted);
            }
        }

        while (inFlight.Count > 0)
        {
            await WriteAsync(output, await inFlight.Dequeue(), options, http.RequestAborted);
        }
    }

    /// <summary>One line's result, whatever happens while reading or accepting it: a failure fails this line alone.</summary>
    private static async Task<BatchLineResult> ProcessLineAsync(int number, byte[]? line, IGrainFactory grains, TimeProvider time, JsonSerializerOptions options, ILogger logger)
    {
        try
        {
            return await AcceptLineAsync(number, line, grains, time, options, logger);
        }
        catch (Exception exception)
        {
            LogLineFailed(logger, exception, number);
            return Failed(number, null, 500, UnexpectedLineError, null);
        }
    }

    private const string UnexpectedLineError = "An unexpected error occurred for this line; the other lines were processed.";

    private static async Task<BatchLineResult> AcceptLineAsync(int number, byte[]? line, IGrainFactory grains, TimeProvider time, JsonSerializerOptions options, ILogger logger)
    {
        if (line is null)
        {
            return Failed(number, null, 400, $"Line longer than {MaxLineBytes} bytes.", null);
        }

        BatchStatementLine? item;
        try
        {
            item = JsonSerializer.Deserialize<BatchStatementLine>(line, options);
        }
        catch (JsonException exception)
        {
            return Failed(number, null, 400, "Not a valid statement object.", ProblemMapping.JsonErrors(exception));
        }

        if (item is null)
        {
            return Failed(number, null, 400, "Not a valid statement object.", null);
        }

        try
        {
            var errors = new FieldErrors();
            if (!GrainKeys.IsAccountId(item.AccountId))
            {
                errors.Add("accountId", "Required: 1–64 characters of a–z, 0–9 and '-'.");
            }

            if (!GrainKeys.IsTenantId(item.TenantId))
            {
                errors.Add("tenantId", "Required: 1–64 characters of A–Z, a–z, 0–9, '_' and '-'.");
            }

            var statement = BillingRules.Statement(errors, item.Period, time.GetUtcNow(), item.UsageTotal, item.Quantities);
            Ids.ThrowIfInvalid(errors);
            var accepted = await grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(item.AccountId!, item.TenantId!)).AcceptStatementAsync(item.Period!, statement!);
            return new BatchLineResult(
                number, accepted.Outcome is StatementOutcome.Created or StatementOutcome.Revised ? 201 : 200, item.AccountId, item.TenantId, item.Period,
                Codes.Of(accepted.Outcome), accepted.ScheduledFor, NotScheduledResponse.From(accepted.NotScheduled), null, null);
        }
        catch (BillingProblemException problem)
        {
            return Failed(number, item, ProblemMapping.StatusOf(problem.Kind), problem.Title, problem.Errors);
        }
        catch (Exception exception) when (ClusterFailures.IsTransient(exception))
        {
            return Failed(number, item, 503, "The cluster did not answer for this line; send it again.", null);
        }
        catch (Exception exception)
        {
            // Whatever went wrong, it went wrong for this line: the others are still answered.
            LogLineFailed(logger, exception, number);
            return Failed(number, item, 500, UnexpectedLineError, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error on line {Line} of a statement batch")]
    private static partial void LogLineFailed(ILogger logger, Exception exception, int line);

    private static BatchLineResult Failed(int number, BatchStatementLine? item, int status, string error, IReadOnlyDictionary<string, string[]>? errors) =>
        new(number, status, item?.AccountId, item?.TenantId, item?.Period, null, null, null, error, errors);

    private static async Task WriteAsync(PipeWriter output, BatchLineResult result, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        await using (var writer = new Utf8JsonWriter(output))
        {
            JsonSerializer.Serialize(writer, result, options);
        }

        output.Write("\n"u8);
        await output.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Splits the body into lines without holding more than one line (and the reader's buffer): blank
    /// lines are skipped but counted; a line longer than <see cref="MaxLineBytes"/> yields null.
    /// </summary>
    private static async IAsyncEnumerable<(int Number, byte[]? Line)> ReadLinesAsync(
        PipeReader reader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var number = 0;
        var skippingLongLine = false;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            while (TryTakeLine(ref buffer, out var line))
            {
                number++;
                if (skippingLongLine)
                {
                    skippingLongLine = false;
                    yield return (number, null);
                }
                else if (!IsBlank(line))
                {
                    yield return (number, line.Length > MaxLineBytes ? null : line.ToArray());
                }
            }

            if (buffer.Length > MaxLineBytes)
            {
                skippingLongLine = true;
                buffer = buffer.Slice(buffer.End);
            }

            if (read.IsCompleted)
            {
                if (skippingLongLine || !IsBlank(buffer))
                {
                    number++;
                    yield return (number, skippingLongLine ? null : buffer.ToArray());
                }

                // The server completes the request body itself; completing it here makes Kestrel's draining fail.
                reader.AdvanceTo(buffer.End);
                yield break;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        if (buffer.PositionOf((byte)'\n') is not { } end)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, end);
        buffer = buffer.Slice(buffer.GetPosition(1, end));
        return true;
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
