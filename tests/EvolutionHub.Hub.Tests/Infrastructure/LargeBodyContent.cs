using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// A JSON body of exactly <c>length</c> bytes, <c>[1,1,…,1]</c>, the densest in tokens, written in chunks rather than held
/// whole. With <see cref="Hold"/> it stops after <see cref="HeldAfterBytes"/> until released; <see cref="Sent"/> counts what went out.
/// </summary>
public sealed class LargeBodyContent : HttpContent
{
    private static readonly byte[] Ones = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("1,", 32 * 1024)));
    private readonly long _length;
    private readonly bool _chunked;
    private long _sent;

    public LargeBodyContent(long length, bool chunked = false)
    {
        _length = length;
        _chunked = chunked;
        Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    public TaskCompletionSource? Hold { get; init; }

    public long HeldAfterBytes { get; init; }

    public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Sent => Interlocked.Read(ref _sent);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await WriteAsync(stream, "["u8.ToArray());
        for (var left = _length - 3; left > 0;)
        {
            var chunk = (int)Math.Min(left, Ones.Length);
            if (Hold is not null && _sent + chunk > HeldAfterBytes && _sent <= HeldAfterBytes)
            {
                chunk = (int)Math.Max(1, HeldAfterBytes - _sent);
                await WriteAsync(stream, Ones.AsMemory(0, chunk));
                left -= chunk;
                await stream.FlushAsync();
                Holding.TrySetResult();
                await Hold.Task;
                continue;
            }

            await WriteAsync(stream, Ones.AsMemory(0, chunk));
            left -= chunk;
        }

        await WriteAsync(stream, "1]"u8.ToArray());
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return !_chunked;
    }

    private async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> bytes)
    {
        await stream.WriteAsync(bytes);
        Interlocked.Add(ref _sent, bytes.Length);
    }
}
