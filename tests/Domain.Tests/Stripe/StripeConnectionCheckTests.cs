using System.Net;
using Stripe;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Domain.Tests.Stripe;

public sealed class StripeConnectionCheckTests
{
    [Theory]
    [InlineData("sk_test_abc123", StripeMode.Test)]
    [InlineData("rk_test_abc123", StripeMode.Test)]
    [InlineData("sk_live_abc123", StripeMode.Live)]
    [InlineData("rk_live_abc123", StripeMode.Live)]
    public void A_keys_mode_is_read_from_its_prefix(string key, StripeMode mode) => Assert.Equal(mode, StripeConnectionCheck.ModeOf(key));

    [Theory]
    [InlineData(StripeMode.Test, StripeMode.Test, false, null)]
    [InlineData(StripeMode.Live, StripeMode.Live, true, null)]
    [InlineData(StripeMode.Live, StripeMode.Test, false, "This is a live key, but this deployment bills in test mode")]
    [InlineData(StripeMode.Test, StripeMode.Live, false, "This is a test key, but this deployment bills in live mode")]
    [InlineData(StripeMode.Test, StripeMode.Live, true, "The platform's Stripe key is a test key, but this deployment bills in live mode")]
    public void A_key_of_the_other_mode_is_a_422_that_says_both_modes(StripeMode keyMode, StripeMode expected, bool platformKey, string? starts)
    {
        var problem = StripeConnectionCheck.ModeMismatch(keyMode, expected, platformKey);

        if (starts is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Equal(ProblemKind.Unprocessable, problem!.Kind);
            Assert.StartsWith(starts, problem.Title, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(StripeFailureKind.Permanent, ProblemKind.Unprocessable)]
    [InlineData(StripeFailureKind.CustomerMissing, ProblemKind.Unprocessable)]
    [InlineData(StripeFailureKind.Unknown, ProblemKind.Unavailable)]
    [InlineData(StripeFailureKind.ServerError, ProblemKind.Unavailable)]
    [InlineData(StripeFailureKind.RateLimited, ProblemKind.Unavailable)]
    [InlineData(StripeFailureKind.KeyInUse, ProblemKind.Unavailable)]
    public void Stripes_refusal_is_a_422_with_its_reason_and_no_answer_a_503(StripeFailureKind kind, ProblemKind problem)
    {
        var refusal = StripeConnectionCheck.Refusal(new StripeCallException(kind, "Expired API Key provided: [key] (invalid_request_error/api_key_expired, request req_1)"));

        Assert.Equal(problem, refusal.Kind);
        if (problem == ProblemKind.Unprocessable)
        {
            Assert.Contains("Expired API Key provided", refusal.Title, StringComparison.Ordinal);
        }
    }
}

/// <summary>What a failed Stripe request keeps of Stripe's answer: its error type, code, message and request id only.</summary>
public sealed class StripeCallExceptionTests
{
    [Fact]
    public void Only_stripes_type_code_and_message_are_kept_and_keys_are_masked()
    {
        var error = new StripeError { Type = "invalid_request_error", Code = "api_key_expired", Message = "Expired API Key provided: sk_test_abcd****wxyz" };

        var failure = StripeCallException.From(new StripeException(HttpStatusCode.Unauthorized, error, "raw answer " + new string('x', 50_000)));

        Assert.Equal(StripeFailureKind.Permanent, failure.Kind);
        Assert.Equal("api_key_expired", failure.Code);
        Assert.Equal("Expired API Key provided: [key] (invalid_request_error/api_key_expired, no request id)", failure.Message);
    }

    [Fact]
    public void An_answer_without_a_readable_error_keeps_only_its_status()
    {
        var failure = StripeCallException.From(new StripeException(HttpStatusCode.BadGateway, null!, "<html>" + new string('x', 50_000) + "</html>"));

        Assert.Equal(StripeFailureKind.ServerError, failure.Kind);
        Assert.Equal("Stripe answered without a readable error (HTTP 502, no request id).", failure.Message);
    }

    [Fact]
    public void A_long_stripe_message_is_cut_to_one_short_line()
    {
        var error = new StripeError { Type = "invalid_request_error", Message = "Line one\nline two " + new string('y', 5_000) };

        var failure = StripeCallException.From(new StripeException(HttpStatusCode.BadRequest, error, "whatever"));

        Assert.DoesNotContain('\n', failure.Message);
        Assert.True(failure.Message.Length < StripeCallException.MaxMessageLength + 60, failure.Message);
        Assert.StartsWith("Line one line two yyy", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, StripeFailureKind.RateLimited)]
    [InlineData(HttpStatusCode.Conflict, StripeFailureKind.KeyInUse)]
    [InlineData(HttpStatusCode.InternalServerError, StripeFailureKind.ServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable, StripeFailureKind.ServerError)]
    [InlineData(HttpStatusCode.PaymentRequired, StripeFailureKind.CardDeclined)]
    [InlineData(HttpStatusCode.BadRequest, StripeFailureKind.Permanent)]
    [InlineData((HttpStatusCode)0, StripeFailureKind.Unknown)]
    public void Each_answer_is_classified(HttpStatusCode status, StripeFailureKind kind) =>
        Assert.Equal(kind, StripeCallException.From(new StripeException(status, new StripeError { Message = "m" }, "m")).Kind);

    [Fact]
    public void No_answer_at_all_is_unknown() =>
        Assert.Equal(StripeFailureKind.Unknown, StripeCallException.From(new HttpRequestException("connection reset")).Kind);
}
