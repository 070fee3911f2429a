using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Api.Tests.Support;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Tests;

/// <summary>
/// Input that used to reach a 500 (or to end a whole statement batch), sent again: months the calendar
/// arithmetic can't hold, a line whose processing fails unexpectedly, text with control or bidi
/// characters, and a cluster or database that does not answer.
/// </summary>
public sealed class FormerServerErrorTests : IClassFixture<FormerServerErrorTests.FaultyApi>, IAsyncLifetime
{
    private readonly FaultyApi _api;
    private readonly HttpClient _operator;
    private string _accountId = null!;

    public FormerServerErrorTests(FaultyApi api)
    {
        _api = api;
        _operator = api.Operator();
    }

    public async Task InitializeAsync()
    {
        _accountId = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, _accountId, "t1");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string> MonthsOutOfRange => ["9999-12", "2100-01", "1999-12", "0000-01"];

    [Theory]
    [MemberData(nameof(MonthsOutOfRange))]
    public async Task A_statement_month_out_of_range_is_a_400_naming_period_and_nothing_is_kept(string month)
    {
        var problem = await (await _operator.PutJsonAsync($"{Seed.TenantUrl(_accountId, "t1")}/statements/{month}", """{"usageTotal":1,"quantities":{}}"""))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["period"], problem.ErrorFields());
        var tenant = await (await _operator.GetAsync(Seed.TenantUrl(_accountId, "t1"))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, tenant.GetProperty("nextInvoice").ValueKind);
    }

    [Theory]
    [MemberData(nameof(MonthsOutOfRange))]
    public async Task Every_other_route_taking_a_month_answers_one_out_of_range_with_a_400_naming_it(string month)
    {
        var tenant = Seed.TenantUrl(_accountId, "t1");
        var account = Seed.AccountUrl(_accountId);

        var preview = await (await _operator.GetAsync($"{tenant}/invoices/{month}/preview")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var retry = await (await _operator.SendAsync(HttpMethod.Post, $"{tenant}/invoices/{month}/retry")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var fees = await (await _operator.GetAsync($"{account}/fees?month={month}")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var taxes = await (await _operator.GetAsync($"{account}/tax-report?month={month}")).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["period"], preview.ErrorFields());
        Assert.Equal(["invoiceId"], retry.ErrorFields());
        Assert.Equal(["month"], fees.ErrorFields());
        Assert.Equal(["month"], taxes.ErrorFields());
    }

    [Fact]
    public async Task A_batch_answers_every_line_past_a_month_out_of_range_and_past_a_line_that_fails_unexpectedly()
    {
        _api.Failure = nameof(InvalidOperationException);
        await Seed.BillableTenantAsync(_operator, _accountId, "t2");
        await Seed.BillableTenantAsync(_operator, _accountId, FaultyApi.FailingTenant);
        var lines = new[]
        {
            Line("t1", "2026-08"),
            Line("t1", "9999-12"),
            Line(FaultyApi.FailingTenant, "2026-08"),
            Line("t2", "2026-08"),
        };

        var response = await _operator.SendAsync(HttpMethod.Post, "/v1/statements/batch", string.Join('\n', lines), Http.NdJson);
        var results = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([201, 400, 500, 201], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal(["period"], results[1].GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(FaultyApi.FailingTenant, results[2].GetProperty("tenantId").GetString());
    }

    public static TheoryData<string, string> TextFieldsWithForbiddenCharacters => new()
    {
        { "name", "Bob\u202Es Bakery" },
        { "contactName", "Jane\u0000Roe" },
        { "address.line1", "200 N Spring St\n<script>" },
        { "address.city", "Los\u2066Angeles" },
        { "billingEmail", "billing\u0007@acme.example" },
    };

    [Theory]
    [MemberData(nameof(TextFieldsWithForbiddenCharacters))]
    public async Task Tenant_text_with_control_or_bidi_characters_is_a_400_naming_the_field_and_nothing_changes(string field, string value)
    {
        var tenant = System.Text.Json.Nodes.JsonNode.Parse(Seed.TenantBody())!.AsObject();
        if (field.StartsWith("address.", StringComparison.Ordinal))
        {
            tenant["address"]![field["address.".Length..]] = value;
        }
        else
        {
            tenant[field] = value;
        }

        var problem = await (await _operator.PutJsonAsync(Seed.TenantUrl(_accountId, "t1"), tenant.ToJsonString())).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal([field], problem.ErrorFields());
        var stored = await (await _operator.GetAsync(Seed.TenantUrl(_accountId, "t1"))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Acme Dental", stored.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Item_descriptions_and_account_names_refuse_them_too_and_plain_text_in_any_script_is_kept()
    {
        var profile = await (await _operator.PutJsonAsync($"{Seed.TenantUrl(_accountId, "t1")}/billing-profile",
            Seed.ProfileBody.Replace("Support plan", "Support\\u202Eplan", StringComparison.Ordinal))).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var oneTime = await (await _operator.PostJsonAsync($"{Seed.TenantUrl(_accountId, "t1")}/one-time-invoices",
            """{"requestId":"r-bidi","items":[{"description":"Setup\u2028fee","quantity":1,"unitPrice":25,"taxCategory":"non_taxable"}]}""")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var account = await (await _operator.PostJsonAsync("/v1/accounts", $$"""{"accountId":"{{Seed.NewId("ctl")}}","name":"Acme\u0000"}""")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var plain = await (await _operator.PutJsonAsync(Seed.TenantUrl(_accountId, "t3"), Seed.TenantBody(name: "Café Zoë 株式会社 👩‍💻"))).ExpectJsonAsync(HttpStatusCode.Created);

        Assert.Equal(["recurringItems[0].description"], profile.ErrorFields());
        Assert.Equal(["items[0].description"], oneTime.ErrorFields());
        Assert.Equal(["name"], account.ErrorFields());
        Assert.Equal("Café Zoë 株式会社 👩‍💻", plain.GetProperty("name").GetString());
    }

    public static TheoryData<string> LostDependencies => [nameof(TimeoutException), nameof(SiloUnavailableException), nameof(Npgsql.NpgsqlException), nameof(OperationCanceledException)];

    [Theory]
    [MemberData(nameof(LostDependencies))]
    public async Task A_cluster_or_database_that_does_not_answer_is_a_503_with_retry_after_not_a_500(string failure)
    {
        _api.Failure = failure;
        var response = await _operator.GetAsync(Seed.TenantUrl(_accountId, FaultyApi.FailingTenant));

        var problem = await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.DoesNotContain("Injected", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bug_is_still_a_500_without_details()
    {
        _api.Failure = nameof(InvalidOperationException);
        var response = await _operator.GetAsync(Seed.TenantUrl(_accountId, FaultyApi.FailingTenant));

        var problem = await response.ExpectProblemAsync(HttpStatusCode.InternalServerError);
        Assert.Null(response.Headers.RetryAfter);
        Assert.DoesNotContain("Injected", problem.ToString(), StringComparison.Ordinal);
    }

    private string Line(string tenantId, string period) =>
        JsonSerializer.Serialize(new { accountId = _accountId, tenantId, period, usageTotal = 1, quantities = new { } });

    /// <summary>The API whose grain calls to <see cref="FailingTenant"/> fail with <see cref="Failure"/> (as a lost silo or database would).</summary>
    public sealed class FaultyApi : ApiFactory, IIncomingGrainCallFilter
    {
        public const string FailingTenant = "failing-tenant";

        public string Failure { get; set; } = nameof(InvalidOperationException);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IIncomingGrainCallFilter>(this));
        }

        public Task Invoke(IIncomingGrainCallContext context)
        {
            var failing = context.InterfaceMethod?.DeclaringType == typeof(ITenantGrain)
                && context.InterfaceMethod.Name is nameof(ITenantGrain.AcceptStatementAsync) or nameof(ITenantGrain.GetAsync)
                && context.TargetId.Key.ToString()!.EndsWith("/" + FailingTenant, StringComparison.Ordinal);
            return !failing ? context.Invoke() : throw Failure switch
            {
                nameof(TimeoutException) => new TimeoutException("Injected: no answer in time."),
                nameof(SiloUnavailableException) => new SiloUnavailableException("Injected: the silo is gone."),
                nameof(Npgsql.NpgsqlException) => new Npgsql.NpgsqlException("Injected: the database is unreachable."),
                nameof(OperationCanceledException) => new OperationCanceledException("Injected: message expired before placement could complete."),
                _ => new InvalidOperationException("Injected: a bug."),
            };
        }
    }
}
