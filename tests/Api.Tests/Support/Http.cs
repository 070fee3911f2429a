using System.Net;
using System.Text;
using System.Text.Json;

namespace TenantBilling.Api.Tests.Support;

/// <summary>Sending raw bodies and reading answers, without the client second-guessing the input.</summary>
public static class Http
{
    public const string Json = "application/json";
    public const string ProblemJson = "application/problem+json";
    public const string NdJson = "application/x-ndjson";

    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string url, string? body = null, string? contentType = Json) =>
        client.SendAsync(method, url, body is null ? null : Encoding.UTF8.GetBytes(body), contentType);

    /// <summary>Sends <paramref name="body"/> as given; <paramref name="contentType"/> is not validated, so malformed ones reach the server.</summary>
    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string url, byte[]? body, string? contentType = Json, bool chunked = false)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, string body) => client.SendAsync(HttpMethod.Put, url, body);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string body) => client.SendAsync(HttpMethod.Post, url, body);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts the status and a JSON body, and returns the body.</summary>
    public static async Task<JsonElement> ExpectJsonAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(Json, response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with <paramref name="status"/> and returns it.</summary>
    public static async Task<JsonElement> ExpectProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var problem = document.RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>The field names of a validation problem's <c>errors</c> (empty when it has none).</summary>
    public static IReadOnlyList<string> ErrorFields(this JsonElement problem) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().Select(e => e.Name).ToList()
            : [];

    /// <summary>The messages of one field of a validation problem.</summary>
    public static IReadOnlyList<string> ErrorsOf(this JsonElement problem, string field) =>
        problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToList();

    /// <summary>A body whose length the client cannot know, so it is sent without Content-Length.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;
    }
}
