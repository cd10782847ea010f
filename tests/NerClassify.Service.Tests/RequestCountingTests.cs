using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace NerClassify.Service.Tests;

/// <summary>Requests that never reach the endpoint's answer (a body too slow, a wrong method, a client gone) are counted and logged quietly.</summary>
public sealed class RequestCountingTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Predict_BodySentTooSlowly_Returns408CountedAndLogsNoError()
    {
        var logs = new CapturingLoggerProvider();
        (WebApplication app, HttpClient client) = await ServiceFixture.StartAsync(service.ModelDirectory, [], builder =>
        {
            // Kestrel's default is 240 bytes/s after 5 s; a shorter grace keeps the test short.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 100, gracePeriod: TimeSpan.FromSeconds(2)));
            builder.Logging.AddProvider(logs);
        });
        try
        {
            await ServiceFixture.WaitReadyAsync(client);
            Uri address = client.BaseAddress!;
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(address.Host, address.Port);
            NetworkStream stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/predict HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"text\": \""));

            // One byte a second, far below the minimum rate, until the server answers.
            var answer = new StringBuilder();
            var buffer = new byte[4096];
            Task<int> read = stream.ReadAsync(buffer).AsTask();
            for (int second = 0; second < 20 && !read.IsCompleted; second++)
            {
                try
                {
                    await stream.WriteAsync("a"u8.ToArray());
                }
                catch (IOException)
                {
                    break; // the server closed the connection after answering
                }

                await Task.WhenAny(read, Task.Delay(1000));
            }

            int count = await read.WaitAsync(TimeSpan.FromSeconds(30));
            answer.Append(Encoding.ASCII.GetString(buffer, 0, count));

            answer.ToString().Should().StartWith("HTTP/1.1 408");
            (await RequestCountAsync(client, 408)).Should().BeGreaterThanOrEqualTo(1);
            logs.Entries.Where(e => e.Level >= LogLevel.Error).Should().BeEmpty("a slow client is not a server error");
        }
        finally
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Predict_WrongMethod_Returns405AndIsCounted()
    {
        using HttpResponseMessage response = await service.Client.GetAsync("/v1/predict");

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await RequestCountAsync(service.Client, 405)).Should().BeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Predict_ClientAbortsMidBody_IsCountedAs499()
    {
        Uri address = service.Client.BaseAddress!;
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(address.Host, address.Port);
            NetworkStream stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/predict HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"text\": \"Par"));
            await stream.FlushAsync();
            await Task.Delay(200);
            tcp.Client.LingerState = new LingerOption(true, 0); // a reset, as a client that goes away
        }

        (await RequestCountAsync(service.Client, 499)).Should().BeGreaterThanOrEqualTo(1);
    }

    /// <summary>The value of <c>nerclassify_requests_total</c> for one status, waiting for the exporter's cached scrape to catch up.</summary>
    internal static async Task<double> RequestCountAsync(HttpClient client, int status)
    {
        var pattern = new Regex($"^nerclassify_requests_total\\{{[^}}]*http_response_status_code=\"{status}\"[^}}]*\\}} (\\S+)", RegexOptions.Multiline);
        for (int attempt = 0; attempt < 200; attempt++)
        {
            string metrics = await client.GetStringAsync("/metrics");
            if (pattern.Match(metrics) is { Success: true } match)
            {
                return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            await Task.Delay(100);
        }

        return 0;
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((logLevel, category, $"{formatter(state, exception)} {exception}"));
        }
    }
}
