using Microsoft.Extensions.Hosting;
using TenantBilling.Silo.Hosting;

// A silo of the billing cluster. Configuration: ConnectionStrings:Orleans (PostgreSQL), Orleans:*, Billing:*.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.AddTenantBillingSilo(builder.Configuration, builder.Environment));
await builder.Build().RunAsync();
