using TenantBilling.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using TenantBilling.Grains.Integrations.Taxes;

namespace TenantBilling.Api.Tests;

/// <summary>Settings that must stop the service at start-up rather than run it wrongly.</summary>
public sealed class StartupTests
{
    [Fact]
    public void Test_mode_is_refused_in_production()
    {
        using var api = Api("Production", ("TestMode:Enabled", "true"));

        var refused = Assert.Throws<InvalidOperationException>(() => api.CreateClient());

        Assert.Contains("refused in the Production environment", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_mode_is_refused_in_production_for_an_api_in_client_mode_too()
    {
        using var api = Api("Production", ("TestMode:Enabled", "true"), ("Api:Cluster", "Client"));

        var refused = Assert.Throws<InvalidOperationException>(() => api.CreateClient());

        Assert.Contains("refused in the Production environment", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_operator_key_is_refused()
    {
        using var api = Api("Production", ("Auth:OperatorKeys:0", ""));

        var refused = Assert.ThrowsAny<Exception>(() => api.CreateClient());

        Assert.Contains("Auth:OperatorKeys", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_replacement_tax_table_is_refused_naming_its_line_and_column()
    {
        var table = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(table, [
                string.Join(',', TaxRateTableParser.Columns),
                "federal,US,FUSF,USF,percent_of_interstate_and_international_end_user_telecom_revenue,not-a-rate,,,telecom,2026-01-01,https://example.com",
            ]);
            using var api = Api("Development", ("Taxes:RateTable:TablePath", table));

            var refused = Assert.Throws<TaxTableFormatException>(() => api.CreateClient());

            Assert.Equal((2, 6), (refused.Line, refused.Column));
        }
        finally
        {
            File.Delete(table);
        }
    }


    private static WebApplicationFactory<Program> Api(string environment, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("Auth:OperatorKeys:0", "startup-tests-operator-key");
            builder.UseSetting("Orleans:SiloPort", Ports.FreeText());
            builder.UseSetting("Orleans:GatewayPort", Ports.FreeText());
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
}
