using TenantBilling.Api;

var builder = WebApplication.CreateBuilder(args);
builder.AddTenantBillingApi();

var app = builder.Build();
app.UseTenantBillingApi();
await app.RunAsync();

/// <summary>The API's entry point, visible to the functional tests.</summary>
public partial class Program;
