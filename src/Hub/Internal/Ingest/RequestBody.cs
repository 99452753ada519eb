using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using EvolutionHub.Internal.Authentication;

namespace EvolutionHub.Internal.Ingest;

/// <summary>
/// A request body read whole, its size checked first: a declared <c>Content-Length</c> over the limit is refused before a
/// byte is read, a chunked body as soon as it passes the limit. The bytes sit in a buffer rented from the array pool,
/// returned on <see cref="Dispose"/> unless <see cref="Parse"/> handed it to a document. Bodies read for a sender not
/// authenticated yet hold their bytes against an <see cref="UnauthenticatedBodyBudget"/> until <see cref="Authenticated"/>.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private const int FirstChunkBytes = 16 * 1024;

    private byte[] _buffer;
    private int _length;
    private UnauthenticatedBodyBudget? _budget;
    private long _reserved;
    private bool _parsed;

    private RequestBody(byte[] buffer, UnauthenticatedBodyBudget? budget)
    {
        _buffer = buffer;
        _budget = budget;
    }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Reads <paramref name="body"/> (of <paramref name="declaredLength"/> bytes when known) up to <paramref name="maxBytes"/>.
    /// Returns null and sets <paramref name="outcome"/> when the body is too large (413) or the budget cannot hold it (503).
    /// </summary>
    public static async Task<(RequestBody? Body, BodyOutcome Outcome)> ReadAsync(
        Stream body, long? declaredLength, long maxBytes, UnauthenticatedBodyBudget? budget, CancellationToken cancellationToken)
    {
        maxBytes = Math.Min(maxBytes, Array.MaxLength);
        if (declaredLength > maxBytes)
        {
            return (null, BodyOutcome.TooLarge);
        }

        var expected = (int)(declaredLength ?? Math.Min(FirstChunkBytes, maxBytes));
        if (expected == 0 && declaredLength is null)
        {
            return await body.ReadAsync(new byte[1], cancellationToken) == 0 ? (new RequestBody([], null), BodyOutcome.Read) : (null, BodyOutcome.TooLarge);
        }

        if (budget is not null && !budget.TryTake(expected))
        {
            return (null, BodyOutcome.Busy);
        }

        var result = new RequestBody(ArrayPool<byte>.Shared.Rent(expected), budget) { _reserved = budget is null ? 0 : expected };
        try
        {
            var outcome = declaredLength is not null
                ? await result.FillAsync(body, expected, cancellationToken)
                : await result.FillChunkedAsync(body, maxBytes, cancellationToken);
            if (outcome == BodyOutcome.Read)
            {
                return (result, outcome);
            }

            result.Dispose();
            return (null, outcome);
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>The sender is known now: its bytes no longer count against the budget of unauthenticated bodies.</summary>
    public void Authenticated()
    {
        _budget?.Return(_reserved);
        _budget = null;
        _reserved = 0;
    }

    /// <summary>
    /// Parses the body once. The document refers to the buffer rather than a copy, and owns it from then on: accepted events
    /// refer to their data until they are delivered, so the buffer is never returned to the pool.
    /// </summary>
    /// <exception cref="JsonException">The body is not JSON (which is UTF-8 throughout: the parser itself leaves the bytes of strings unchecked).</exception>
    public JsonDocument Parse()
    {
        if (!Utf8.IsValid(Span))
        {
            throw new JsonException("The body is not UTF-8.");
        }

        var document = JsonDocument.Parse(_buffer.AsMemory(0, _length));
        _parsed = true;
        return document;
    }

    public void Dispose()
    {
        Authenticated();
        if (!_parsed && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _length = 0;
    }

    private async Task<BodyOutcome> FillAsync(Stream body, int expected, CancellationToken cancellationToken)
    {
        while (_length < expected)
        {
            var read = await body.ReadAsync(_buffer.AsMemory(_length, expected - _length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            _length += read;
        }

        return BodyOutcome.Read;
    }

    private async Task<BodyOutcome> FillChunkedAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var usable = (int)Math.Min(_buffer.Length, maxBytes);
            if (_length == usable)
            {
                if (usable == maxBytes)
                {
                    // Full at the limit: one byte more makes it too large.
                    return await body.ReadAsync(new byte[1], cancellationToken) == 0 ? BodyOutcome.Read : BodyOutcome.TooLarge;
                }

                var grown = (int)Math.Min(maxBytes, (long)_buffer.Length * 2);
                if (_budget is not null)
                {
                    if (!_budget.TryTake(grown - _reserved))
                    {
                        return BodyOutcome.Busy;
                    }

                    _reserved = grown;
                }

                var larger = ArrayPool<byte>.Shared.Rent(grown);
                _buffer.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
                continue;
            }

            var read = await body.ReadAsync(_buffer.AsMemory(_length, usable - _length), cancellationToken);
            if (read == 0)
            {
                return BodyOutcome.Read;
            }

            _length += read;
        }
    }
}

internal enum BodyOutcome
{
    Read,

    /// <summary>Larger than the limit: 413.</summary>
    TooLarge,

    /// <summary>The budget of unauthenticated bodies cannot hold it now: 503.</summary>
    Busy,
}
