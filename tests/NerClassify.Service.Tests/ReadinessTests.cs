using System.Net;
using FluentAssertions;
using NerClassify.Inference;
using NerClassify.Samples.Service;

namespace NerClassify.Service.Tests;

public sealed class ReadinessTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Readyz_BeforeAndAfterModelLoadAndWarmUp_Returns503Then200()
    {
        using var gate = new ManualResetEventSlim();
        (WebApplication app, HttpClient client) = await ServiceFixture.StartAsync(service.ModelDirectory, [], builder =>
            builder.Services.AddSingleton<ModelLoader>(_ => _ =>
            {
                // Hold the load until the test has seen the service unready.
                gate.Wait(TimeSpan.FromSeconds(60));
                return NerClassifier.Load(service.ModelDirectory);
            }));
        try
        {
            using (HttpResponseMessage before = await client.GetAsync("/readyz"))
            using (HttpResponseMessage healthy = await client.GetAsync("/healthz"))
            using (HttpResponseMessage predict = await client.PostAsync("/v1/predict", new StringContent("{\"text\": \"Paris\"}", System.Text.Encoding.UTF8, "application/json")))
            {
                before.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
                healthy.StatusCode.Should().Be(HttpStatusCode.OK, "the process is alive while the model loads");
                predict.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            }

            gate.Set();
            await ServiceFixture.WaitReadyAsync(client);

            using HttpResponseMessage after = await client.GetAsync("/readyz");
            after.StatusCode.Should().Be(HttpStatusCode.OK);
            app.Services.GetRequiredService<ModelHost>().Classifier.Should().NotBeNull();
        }
        finally
        {
            gate.Set();
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Healthz_ModelFailsToLoad_Returns500AndStaysUnready()
    {
        (WebApplication app, HttpClient client) = await ServiceFixture.StartAsync(Path.Combine(service.ModelDirectory, "missing"), []);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            HttpStatusCode health = HttpStatusCode.OK;
            while (health == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
                using HttpResponseMessage response = await client.GetAsync("/healthz");
                health = response.StatusCode;
            }

            health.Should().Be(HttpStatusCode.InternalServerError);
            using HttpResponseMessage ready = await client.GetAsync("/readyz");
            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
