using Microsoft.AspNetCore.SignalR;

namespace EvolutionHub.Bridge.Tests.Infrastructure;

/// <summary>The hub of namespace <c>/chat</c> at the multi-hub endpoint; its connections join group <c>room</c>.</summary>
public sealed class ChatHub : Hub
{
    public override Task OnConnectedAsync() => Groups.AddToGroupAsync(Context.ConnectionId, "room");

    public string Where() => "chat";
}

/// <summary>The hub of namespace <c>/admin</c>; its connections join a group named <c>room</c> too, its own.</summary>
public sealed class AdminHub : Hub
{
    public override Task OnConnectedAsync() => Groups.AddToGroupAsync(Context.ConnectionId, "room");

    public string Where() => "admin";
}

/// <summary>A filter registered for <see cref="AdminHub"/> only: marks its results.</summary>
public sealed class AdminOnlyFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next) =>
        "filtered " + await next(invocationContext);
}
