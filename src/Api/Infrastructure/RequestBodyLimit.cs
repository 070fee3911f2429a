using Microsoft.AspNetCore.Http.Features;

namespace TenantBilling.Api.Infrastructure;

/// <summary>Marks a route whose body is streamed without the default size limit (the statement batch).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class UnlimitedBodyAttribute : Attribute;

/// <summary>
/// Holds every request body to <see cref="DefaultLimit"/> (1 MB) unless its route is marked
/// <see cref="UnlimitedBodyAttribute"/>: a declared length over the limit is refused before reading,
/// and a body that turns out longer fails the read with 413. It works the same on Kestrel and on the
/// test server, which has no limit of its own.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next)
{
    public const long DefaultLimit = 1024 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var unlimited = context.GetEndpoint()?.Metadata.GetMetadata<UnlimitedBodyAttribute>() is not null;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = unlimited ? null : DefaultLimit;
        }

        if (!unlimited)
        {
            if (context.Request.ContentLength > DefaultLimit)
            {
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            }

            context.Request.Body = new LimitedStream(context.Request.Body, DefaultLimit);
        }

        return next(context);
    }

    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            return _read > limit
                ? throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge)
                : read;
        }
    }
}
