using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace TenantBilling.StripeSandbox.Pages;

/// <summary>
/// The HTML of the sandbox's pages. Every text that came from a request is HTML-encoded; the one style
/// sheet is inline and allowed by its hash, so the Content-Security-Policy forbids everything else
/// (scripts, fonts, images, frames, forms). No brand but the product's own, and the word sandbox on
/// every page: in the title, a banner at the top and the footer.
/// </summary>
internal static class PageHtml
{
    public const string Label = "Sandbox";

    private const string Style = """
        :root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --paper: #ffffff; --wash: #f6f8fa; --warn: #9a6700; --warn-wash: #fff8c5; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--wash); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        .banner { background: repeating-linear-gradient(135deg, var(--warn-wash) 0 18px, #fff1a8 18px 36px); border-bottom: 2px solid var(--warn); color: #4d2d00; padding: 10px 24px; text-align: center; }
        .banner strong { letter-spacing: .08em; text-transform: uppercase; margin-right: .5em; }
        main { max-width: 820px; margin: 32px auto; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 32px 40px; }
        header { display: flex; justify-content: space-between; align-items: baseline; gap: 16px; flex-wrap: wrap; border-bottom: 1px solid var(--line); padding-bottom: 16px; }
        h1 { font-size: 24px; margin: 0; }
        h1 .number { font-variant-numeric: tabular-nums; }
        h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0 0 6px; }
        .tag { display: inline-block; border: 1px solid var(--warn); color: var(--warn); border-radius: 999px; padding: 0 10px; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .06em; vertical-align: middle; margin-left: 8px; }
        .status { border-radius: 999px; padding: 2px 12px; font-weight: 600; font-size: 13px; background: #ddf4ff; color: #0550ae; }
        .status-paid { background: #dafbe1; color: #116329; }
        .status-void, .status-uncollectible { background: #ffebe9; color: #a40e26; }
        .meta { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; margin: 24px 0; }
        .meta p { margin: 0; }
        dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 16px; margin: 0; }
        dt { color: var(--muted); }
        dd { margin: 0; font-variant-numeric: tabular-nums; }
        .due { font-size: 28px; font-weight: 650; margin: 8px 0 0; font-variant-numeric: tabular-nums; }
        table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th { text-align: left; font-size: 13px; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 8px 0; }
        td { padding: 8px 0; vertical-align: top; }
        .amount { text-align: right; white-space: nowrap; padding-left: 16px; }
        tr.line td { border-top: 1px solid var(--line); font-weight: 500; }
        tr.tax td { padding: 0 0 6px 20px; color: var(--muted); font-size: 14px; }
        tr.tax td.amount { padding-left: 16px; }
        .totals { margin: 16px 0 0 auto; width: 60%; min-width: 320px; }
        .totals td { padding: 4px 0; }
        .totals tr.total td, .totals tr.amount-due td, .totals tr.remaining td { border-top: 1px solid var(--line); font-weight: 650; padding-top: 8px; }
        .totals tr.tax-total td { color: var(--muted); }
        .description { color: var(--muted); margin: 0 0 16px; }
        footer { max-width: 820px; margin: 0 auto 32px; color: var(--muted); font-size: 13px; text-align: center; }
        code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        """;

    /// <summary>Nothing may load but the inline style sheet above.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string Banner =
        "<div class=\"banner\" role=\"note\"><strong>Sandbox</strong> A test invoice from Tenant Billing's local Stripe sandbox — not Stripe. Nothing was e-mailed, nothing can be paid, and it is gone when the service stops.</div>";

    public static string Invoice(InvoicePage invoice)
    {
        var html = new StringBuilder();
        var title = invoice.Number is { } number ? $"Invoice {number}" : "Invoice";
        Open(html, $"{Label} · {title}");
        html.Append("<main>");
        html.Append("<header><h1>").Append("Invoice <span class=\"number\">").Append(E(invoice.Number ?? invoice.InvoiceId)).Append("</span> ")
            .Append("<span class=\"tag\">").Append(Label).Append("</span></h1>")
            .Append("<span class=\"status status-").Append(E(invoice.Status)).Append("\">").Append(E(StatusText(invoice))).Append("</span></header>");

        html.Append("<section class=\"meta\"><div><h2>Billed to</h2>");
        if (invoice.BillTo is { } party)
        {
            foreach (var line in new[] { party.Name }.Concat(party.AddressLines).Append(party.Email).Append(party.Phone).Where(l => !string.IsNullOrWhiteSpace(l)))
            {
                html.Append("<p>").Append(E(line!)).Append("</p>");
            }
        }

        html.Append("</div><div><h2>Amount due</h2><p class=\"due\">").Append(Money(invoice.AmountRemaining, invoice.Currency)).Append("</p><dl>")
            .Append("<dt>Invoice date</dt><dd>").Append(Date(invoice.InvoiceDate)).Append("</dd>");
        if (invoice.DueDate is { } due)
        {
            html.Append("<dt>Due</dt><dd>").Append(Date(due)).Append("</dd>");
        }

        if (invoice.PaidAt is { } paid)
        {
            html.Append("<dt>Paid</dt><dd>").Append(Date(paid)).Append("</dd>");
        }

        html.Append("</dl></div></section>");
        if (!string.IsNullOrWhiteSpace(invoice.Description))
        {
            html.Append("<p class=\"description\">").Append(E(invoice.Description)).Append("</p>");
        }

        html.Append("<table class=\"lines\"><thead><tr><th>Description</th><th class=\"amount\">Amount</th></tr></thead><tbody>");
        foreach (var line in invoice.Lines)
        {
            html.Append("<tr class=\"line\"><td>").Append(E(line.Description ?? "Item")).Append("</td><td class=\"amount\">")
                .Append(Money(line.Amount, invoice.Currency)).Append("</td></tr>");
            foreach (var tax in line.Taxes)
            {
                html.Append("<tr class=\"tax\"><td>").Append(E(TaxText(tax, invoice.Currency))).Append("</td><td class=\"amount\">")
                    .Append(Money(tax.Amount, invoice.Currency)).Append("</td></tr>");
            }
        }

        html.Append("</tbody></table><table class=\"totals\"><tbody>");
        Row(html, "subtotal", "Subtotal", invoice.Subtotal, invoice.Currency);
        if (invoice.Discount != 0)
        {
            Row(html, "discount", "Discount", -invoice.Discount, invoice.Currency);
        }

        foreach (var tax in invoice.TaxTotals)
        {
            Row(html, "tax-total", tax.Inclusive ? $"{tax.Name} (included)" : tax.Name, tax.Amount, invoice.Currency);
        }

        Row(html, "total", "Total", invoice.Total, invoice.Currency);
        if (invoice.AppliedBalance != 0)
        {
            Row(html, "balance", invoice.AppliedBalance < 0 ? "Credit applied" : "Balance added", invoice.AppliedBalance, invoice.Currency);
        }

        Row(html, "amount-due", "Amount due", invoice.AmountDue, invoice.Currency);
        if (invoice.AmountPaid != 0)
        {
            Row(html, "paid", "Amount paid", -invoice.AmountPaid, invoice.Currency);
            Row(html, "remaining", "Amount remaining", invoice.AmountRemaining, invoice.Currency);
        }
        html.Append("</tbody></table></main>");
        html.Append("<footer>").Append(Label).Append(" invoice <code>").Append(E(invoice.InvoiceId)).Append("</code> of sandbox account <code>")
            .Append(E(invoice.AccountId)).Append("</code>, served by Tenant Billing on this machine. Not a Stripe page.</footer>");
        return Close(html);
    }

    public static string Home()
    {
        var html = new StringBuilder();
        Open(html, $"{Label} · Tenant Billing's Stripe sandbox");
        html.Append("<main><header><h1>Tenant Billing's Stripe sandbox <span class=\"tag\">").Append(Label).Append("</span></h1></header>")
            .Append("<p>A local stand-in for the parts of Stripe's API that Tenant Billing uses, running inside the service on this machine, so that invoices can go all the way through without a Stripe account. It is not Stripe: nothing is e-mailed or charged, and everything here is forgotten when the service stops.</p>")
            .Append("<p>Each invoice the service sends here has a page of its own; its address is the invoice's <code>hostedInvoiceUrl</code> in the service's API.</p></main>");
        return Close(html);
    }

    public static string NotFound(string message)
    {
        var html = new StringBuilder();
        Open(html, $"{Label} · Not found");
        html.Append("<main><header><h1>Not found <span class=\"tag\">").Append(Label).Append("</span></h1></header><p>").Append(E(message)).Append("</p></main>");
        return Close(html);
    }

    private static void Open(StringBuilder html, string title) =>
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"robots\" content=\"noindex\"><title>").Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body>")
            .Append(Banner);

    private static string Close(StringBuilder html) => html.Append("</body></html>").ToString();

    private static void Row(StringBuilder html, string kind, string label, long cents, string currency) =>
        html.Append("<tr class=\"").Append(kind).Append("\"><td>").Append(E(label)).Append("</td><td class=\"amount\">").Append(Money(cents, currency)).Append("</td></tr>");

    private static string StatusText(InvoicePage invoice) => invoice.Status switch
    {
        "open" => invoice.CollectionMethod == "send_invoice" ? "Open · awaiting payment" : "Open",
        "paid" => "Paid",
        "void" => "Void",
        "uncollectible" => "Uncollectible",
        var other => other,
    };

    /// <summary>"Federal Universal Service Fund (US) · 37% of $7.79"; a fixed fee (0 %) shows its name only.</summary>
    private static string TaxText(PageTax tax, string currency)
    {
        var name = tax.Jurisdiction is { Length: > 0 } jurisdiction ? $"{tax.Name} ({jurisdiction})" : tax.Name;
        return tax.Percentage == 0
            ? name
            : $"{name} · {tax.Percentage.ToString("0.####", CultureInfo.InvariantCulture)}% of {Money(tax.TaxableAmount, currency)}{(tax.Inclusive ? ", included" : string.Empty)}";
    }

    /// <summary>Cents as money: <c>$1,234.56</c> for US dollars, <c>1,234.56 EUR</c> otherwise; negatives with a minus sign.</summary>
    public static string Money(long cents, string currency)
    {
        var amount = (Math.Abs(cents) / 100m).ToString("#,0.00", CultureInfo.InvariantCulture);
        var sign = cents < 0 ? "−" : string.Empty;
        return currency.Equals("usd", StringComparison.OrdinalIgnoreCase) ? $"{sign}${amount}" : $"{sign}{amount} {currency.ToUpperInvariant()}";
    }

    private static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>Encodes what HTML gives meaning to (&lt; &gt; &amp; quotes), and leaves other characters (× · —) as they are.</summary>
    private static string E(string text) => Encoder.Encode(text);

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);
}
