namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>
/// The Stripe endpoints the product calls, named as Stripe counts them for its per-endpoint rate limit: each
/// method and path template is one endpoint, whatever the ids in it.
/// </summary>
public static class StripeEndpoints
{
    public const string CreateCustomer = "POST /v1/customers";
    public const string UpdateCustomer = "POST /v1/customers/{id}";
    public const string ListCustomers = "GET /v1/customers";
    public const string CreateInvoice = "POST /v1/invoices";
    public const string UpdateInvoice = "POST /v1/invoices/{id}";
    public const string ListInvoices = "GET /v1/invoices";
    public const string ReadInvoice = "GET /v1/invoices/{id}";
    public const string DeleteInvoice = "DELETE /v1/invoices/{id}";
    public const string AddLines = "POST /v1/invoices/{id}/add_lines";
    public const string Finalize = "POST /v1/invoices/{id}/finalize";
    public const string Send = "POST /v1/invoices/{id}/send";
    public const string Pay = "POST /v1/invoices/{id}/pay";
    public const string ReadAccount = "GET /v1/account";
    public const string ListEvents = "GET /v1/events";
    public const string VoidInvoice = "POST /v1/invoices/{id}/void";
    public const string ListInvoiceLines = "GET /v1/invoices/{id}/lines";
    public const string CreateCreditNote = "POST /v1/credit_notes";
    public const string ListCreditNotes = "GET /v1/credit_notes";
}
