using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Yunke.Server.Tests.Infrastructure;

public static class WebSockets
{
    /// <summary>The next whole text message, as JSON; fails after 30 s.</summary>
    public static async Task<JsonElement> ReceiveJsonAsync(this WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        } while (!result.EndOfMessage);
        return JsonSerializer.Deserialize<JsonElement>(text.ToString());
    }

    /// <summary>Reads messages until one matches (fails after 30 s without one); the ones before it are skipped.</summary>
    public static async Task<JsonElement> ReceiveJsonAsync(this WebSocket socket, Func<JsonElement, bool> wanted)
    {
        while (true)
        {
            var message = await socket.ReceiveJsonAsync();
            if (wanted(message)) return message;
        }
    }
}
