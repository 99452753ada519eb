// A plain SignalR chat hub that socket.io-client can talk to, with the EvolutionHub.Bridge package:
//   dotnet run --project samples/SignalRChat -- --urls http://127.0.0.1:5000
// socket.io-client:  io('http://127.0.0.1:5000/').emit('Send', 'ana', 'hi', ack => …)
// SignalR clients:   new HubConnectionBuilder().WithUrl("http://127.0.0.1:5000/hubs/chat")
using EvolutionHub.Bridge;
using Microsoft.AspNetCore.SignalR;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSignalR().AddSocketIo(options => builder.Configuration.GetSection("SocketIo").Bind(options));

var app = builder.Build();
app.UseWebSockets();
app.MapHub<ChatHub>("/hubs/chat");
app.MapSocketIo<ChatHub>();
app.Run();

/// <summary>Whatever one client sends, every client receives, Socket.IO and SignalR alike.</summary>
internal sealed class ChatHub : Hub
{
    /// <summary>The sender's acknowledgement gets how many characters were delivered.</summary>
    public async Task<int> Send(string user, string message)
    {
        await Clients.All.SendAsync("message", user, message);
        return message.Length;
    }
}
