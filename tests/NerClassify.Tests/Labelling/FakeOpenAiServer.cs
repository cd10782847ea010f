using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace NerClassify.Tests.Labelling;

/// <summary>
/// A minimal OpenAI-compatible server on 127.0.0.1: answers <c>POST /v1/chat/completions</c> with a fixed
/// <c>chat.completion</c> and records each request body.
/// </summary>
internal sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly string _answer;

    public FakeOpenAiServer(string answer)
    {
        _answer = answer;
        int port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        Endpoint = new Uri($"http://127.0.0.1:{port}/v1");
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The base address to give the OpenAI client (ends in <c>/v1</c>).</summary>
    public Uri Endpoint { get; }

    public ConcurrentQueue<string> RequestBodies { get; } = new();

    public ConcurrentQueue<string> AuthorizationHeaders { get; } = new();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
        {
            // The listener was stopped while waiting for a request.
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var response = context.Response;
            if (context.Request.HttpMethod != "POST" || context.Request.Url?.AbsolutePath != "/v1/chat/completions")
            {
                response.StatusCode = 404;
                continue;
            }

            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                RequestBodies.Enqueue(await reader.ReadToEndAsync());
            }

            AuthorizationHeaders.Enqueue(context.Request.Headers["Authorization"] ?? string.Empty);
            byte[] body = Encoding.UTF8.GetBytes(Completion(_answer));
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
        }
    }

    private static string Completion(string answer)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", "chatcmpl-test");
            json.WriteString("object", "chat.completion");
            json.WriteNumber("created", 1_730_000_000);
            json.WriteString("model", "test-model");
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", answer);
            json.WriteEndObject();
            json.WriteNull("logprobs");
            json.WriteString("finish_reason", "stop");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", 80);
            json.WriteNumber("completion_tokens", 1);
            json.WriteNumber("total_tokens", 81);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
