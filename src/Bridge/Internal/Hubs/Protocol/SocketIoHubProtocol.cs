using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Internal.Hubs.Protocol;

/// <summary>
/// The <c>socketio</c> hub protocol: hub messages as Socket.IO packet bodies in <see cref="BridgeFrame"/>s.
/// Invocations become events (<c>["target", …args]</c>), completions become acknowledgements, and the bytes never
/// depend on the connection, so a group send serialises once for every Socket.IO client it reaches.
/// </summary>
internal sealed class SocketIoHubProtocol : IHubProtocol
{
    public const string ProtocolName = "socketio";

    /// <summary>
    /// Marks the invocation id of an event that names no hub method when there is no fallback: SignalR answers it with
    /// an error completion, which goes out as no acknowledgement at all, as a Socket.IO server with no handler for it.
    /// Client ack ids are decimal, so the mark cannot collide with one.
    /// </summary>
    private const char UnansweredPrefix = '~';

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private readonly JsonSerializerOptions _serializerOptions;
    private readonly string? _fallbackMethod;
    private readonly bool _invokeHubMethods;
    private readonly BridgeFrameLimits _limits;

    public SocketIoHubProtocol(IOptions<SocketIoOptions> options)
    {
        _serializerOptions = new JsonSerializerOptions(options.Value.PayloadSerializerOptions);
        _serializerOptions.Converters.Add(new AttachmentByteArrayConverter());
        _fallbackMethod = options.Value.FallbackMethod;
        _invokeHubMethods = options.Value.InvokeHubMethods || _fallbackMethod is null;
        _limits = BridgeFrameLimits.ForClients(options.Value);
    }

    public string Name => ProtocolName;

    public int Version => 1;

    public TransferFormat TransferFormat => TransferFormat.Binary;

    public bool IsVersionSupported(int version) => version == Version;

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        WriteMessage(message, output);
        return output.WrittenMemory;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        switch (message)
        {
            case InvocationMessage invocation:
                WriteJsonFrame(output, BridgeFrameKind.Event, invocation.InvocationId, invocation.Target, invocation.Arguments);
                break;
            case CompletionMessage completion:
                WriteCompletion(output, completion);
                break;
            case PingMessage:
                BridgeFrame.WriteHeader(output, BridgeFrameKind.Ping, null, 0, 0);
                break;
            case CloseMessage:
                BridgeFrame.WriteHeader(output, BridgeFrameKind.Close, null, 0, 0);
                break;

                // Streaming has no Socket.IO counterpart: nothing is written.
        }
    }

    private void WriteCompletion(IBufferWriter<byte> output, CompletionMessage completion)
    {
        if (completion.InvocationId is [UnansweredPrefix, .. var clientAckId])
        {
            BridgeFrame.WriteHeader(output, BridgeFrameKind.NoAck, clientAckId, 0, 0);
        }
        else if (completion.Result is SocketIoAck)
        {
            BridgeFrame.WriteHeader(output, BridgeFrameKind.NoAck, completion.InvocationId, 0, 0);
        }
        else if (completion.Error is not null)
        {
            WriteJsonFrame(output, BridgeFrameKind.Ack, completion.InvocationId, null, [new Dictionary<string, string> { ["error"] = completion.Error }]);
        }
        else if (!completion.HasResult)
        {
            WriteJsonFrame(output, BridgeFrameKind.Ack, completion.InvocationId, null, []);
        }
        else if (completion.Result is SocketIoArguments arguments)
        {
            WriteJsonFrame(output, BridgeFrameKind.Ack, completion.InvocationId, null, arguments.Values);
        }
        else
        {
            WriteJsonFrame(output, BridgeFrameKind.Ack, completion.InvocationId, null, [completion.Result]);
        }
    }

    private void WriteJsonFrame(IBufferWriter<byte> output, BridgeFrameKind kind, string? id, string? target, IReadOnlyList<object?> arguments)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var attachments = BinaryAttachments.BeginWrite();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
            {
                writer.WriteStartArray();
                if (target is not null)
                {
                    writer.WriteStringValue(target);
                }

                foreach (var argument in arguments)
                {
                    JsonSerializer.Serialize(writer, argument, argument?.GetType() ?? typeof(object), _serializerOptions);
                }

                writer.WriteEndArray();
            }

            BridgeFrame.Write(output, kind, id, buffer.WrittenSpan, attachments.Written);
        }
        finally
        {
            BinaryAttachments.End();
            if (buffer.Capacity > 64 * 1024)
            {
                t_buffer = null;
            }
        }
    }

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        message = null;
        if (!BridgeFrame.TryRead(ref input, out var frame, _limits))
        {
            return false;
        }

        message = frame.Kind switch
        {
            BridgeFrameKind.Ping => PingMessage.Instance,
            BridgeFrameKind.Event => ParseEvent(frame, binder),
            BridgeFrameKind.Ack => ParseAck(frame, binder),
            _ => throw new InvalidDataException("unexpected frame kind from the bridge"),
        };
        return true;
    }

    private HubMessage ParseEvent(BridgeFrame frame, IInvocationBinder binder)
    {
        var json = frame.Text.IsSingleSegment ? frame.Text.First : frame.Text.ToArray();
        var reader = new Utf8JsonReader(json.Span);
        var eventName = ReadEventName(ref reader);

        var target = eventName;
        IReadOnlyList<Type> parameterTypes;
        try
        {
            parameterTypes = _invokeHubMethods ? binder.GetParameterTypes(eventName) : throw new HubException("Client events do not invoke hub methods.");
        }
        catch (Exception) when (_fallbackMethod is not null)
        {
            target = _fallbackMethod;
            parameterTypes = binder.GetParameterTypes(target);
        }
        catch (Exception ex)
        {
            return new InvocationBindingFailureMessage(frame.Id is null ? null : UnansweredPrefix + frame.Id, eventName, ExceptionDispatchInfo.Capture(ex));
        }

        BinaryAttachments.BeginRead(frame.Attachments);
        try
        {
            var arguments = target == eventName
                ? ReadArguments(ref reader, parameterTypes, hasAttachments: frame.Attachments.Count > 0)
                : ReadFallbackArguments(ref reader, eventName, parameterTypes, hasAttachments: frame.Attachments.Count > 0);
            return new InvocationMessage(frame.Id, target, arguments);
        }
        catch (Exception ex) when (IsBindingFailure(ex))
        {
            return new InvocationBindingFailureMessage(frame.Id, target, ExceptionDispatchInfo.Capture(ex));
        }
        finally
        {
            BinaryAttachments.End();
        }
    }

    /// <summary>
    /// Arguments that do not bind: bad JSON for the type, or a JSON object with a property named twice (valid JSON, which
    /// the tree that keeps attachments as bytes cannot hold).
    /// </summary>
    private static bool IsBindingFailure(Exception exception) =>
        exception is JsonException or InvalidOperationException or NotSupportedException or FormatException or ArgumentException;

    /// <summary>Reads <c>["name"</c> or <c>[number</c>; the bridge sends nothing else, so anything else is not from the bridge.</summary>
    private static string ReadEventName(ref Utf8JsonReader reader)
    {
        try
        {
            if (reader.Read() && reader.TokenType == JsonTokenType.StartArray && reader.Read())
            {
                if (reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString()!;
                }

                if (reader.TokenType == JsonTokenType.Number)
                {
                    return reader.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException("an event frame without a valid event name", ex);
        }

        throw new InvalidDataException("an event frame without an event name");
    }

    private object?[] ReadArguments(ref Utf8JsonReader reader, IReadOnlyList<Type> parameterTypes, bool hasAttachments)
    {
        var arguments = new object?[parameterTypes.Count];
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == arguments.Length)
            {
                throw new InvalidOperationException($"Invocation provides more than the {arguments.Length} argument(s) the method takes.");
            }

            arguments[count] = ReadValue(ref reader, parameterTypes[count], hasAttachments);
            count++;
        }

        if (count != arguments.Length)
        {
            throw new InvalidOperationException($"Invocation provides {count} argument(s) but the method takes {arguments.Length}.");
        }

        return arguments;
    }

    /// <summary>The fallback method takes <c>(string eventName, T[] arguments)</c>: every argument of the event, as T.</summary>
    private object?[] ReadFallbackArguments(ref Utf8JsonReader reader, string eventName, IReadOnlyList<Type> parameterTypes, bool hasAttachments)
    {
        if (parameterTypes.Count != 2 || parameterTypes[0] != typeof(string) || !parameterTypes[1].IsArray)
        {
            throw new InvalidOperationException("The Socket.IO fallback method must take (string eventName, T[] arguments).");
        }

        var elementType = parameterTypes[1].GetElementType()!;
        var values = new List<object?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            values.Add(ReadValue(ref reader, elementType, hasAttachments));
        }

        var array = Array.CreateInstance(elementType, values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            array.SetValue(values[i], i);
        }

        return [eventName, array];
    }

    /// <summary>A client's <c>ack(a, b, …)</c> for <c>InvokeAsync&lt;SocketIoArguments&gt;</c>: every argument, read as <c>object</c>.</summary>
    private SocketIoArguments ReadAllArguments(ref Utf8JsonReader reader, bool hasAttachments)
    {
        var values = new List<object?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            values.Add(ReadValue(ref reader, typeof(object), hasAttachments));
        }

        return new SocketIoArguments([.. values]);
    }

    private object? ReadValue(ref Utf8JsonReader reader, Type type, bool hasAttachments)
    {
        // Untyped values keep binary attachments as bytes inside a JSON tree; without attachments a JsonElement is cheaper.
        if (type == typeof(object) && hasAttachments)
        {
            var node = JsonNode.Parse(ref reader);
            var resolved = BinaryAttachments.Current!.Resolve(node);
            return resolved is JsonValue value && value.TryGetValue(out byte[]? bytes) ? bytes : resolved;
        }

        if (type == typeof(JsonElement) && hasAttachments)
        {
            var node = JsonNode.Parse(ref reader);
            var resolved = BinaryAttachments.Current!.Resolve(node);
            return JsonSerializer.SerializeToElement(resolved, _serializerOptions);
        }

        return JsonSerializer.Deserialize(ref reader, type, _serializerOptions);
    }

    private HubMessage ParseAck(BridgeFrame frame, IInvocationBinder binder)
    {
        var invocationId = frame.Id ?? throw new InvalidDataException("acknowledgement without invocation id");
        Type returnType;
        try
        {
            returnType = binder.GetReturnType(invocationId);
        }
        catch (Exception ex)
        {
            return CompletionMessage.WithError(invocationId, "Client result could not be bound: " + ex.Message);
        }

        var json = frame.Text.IsSingleSegment ? frame.Text.First : frame.Text.ToArray();
        var reader = new Utf8JsonReader(json.Span);
        BinaryAttachments.BeginRead(frame.Attachments);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new InvalidDataException("an acknowledgement frame without an argument array");
            }

            if (returnType == typeof(SocketIoArguments))
            {
                return CompletionMessage.WithResult(invocationId, ReadAllArguments(ref reader, frame.Attachments.Count > 0));
            }

            if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
            {
                return CompletionMessage.WithResult(invocationId, null);
            }

            return CompletionMessage.WithResult(invocationId, ReadValue(ref reader, returnType, frame.Attachments.Count > 0));
        }
        catch (Exception ex) when (IsBindingFailure(ex))
        {
            return CompletionMessage.WithError(invocationId, "Client result could not be bound: " + ex.Message);
        }
        finally
        {
            BinaryAttachments.End();
        }
    }
}
