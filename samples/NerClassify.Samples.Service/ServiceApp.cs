using NerClassify.OnnxRuntime;
using Microsoft.Extensions.Options;
using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Inference;
using OpenTelemetry.Metrics;

namespace NerClassify.Samples.Service;

/// <summary>Builds the web application: configuration, the model host, the endpoints and the metrics.</summary>
public static class ServiceApp
{
    /// <summary>The library's meter, on which micro-batch sizes are recorded (<c>nerclassify.batch.size</c>).</summary>
    public const string LibraryMeterName = "NerClassify";

    /// <summary>Builds the application from command-line arguments and the usual configuration sources.</summary>
    /// <param name="args">Command-line arguments (<c>--urls</c>, <c>--Model:Directory=...</c>).</param>
    /// <param name="configure">Changes to the builder before it is built (tests replace the <see cref="ModelLoader"/>).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.Configure<ModelSourceOptions>(builder.Configuration.GetSection("Model"));
        builder.Services.Configure<ServingOptions>(builder.Configuration.GetSection("Serving"));
        builder.Services.AddSingleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>();
        builder.Services.AddOptions<ServingOptions>().ValidateOnStart();
        builder.Services.AddSingleton<ModelLoader>(services => LoadFromConfiguration(
            services.GetRequiredService<IOptions<ModelSourceOptions>>().Value,
            services.GetRequiredService<IOptions<ServingOptions>>().Value));
        builder.Services.AddSingleton<ModelHost>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ModelHost>());
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(LibraryMeterName, PredictApi.MeterName)
            .AddView("nerclassify.batch.size", new ExplicitBucketHistogramConfiguration { Boundaries = [1, 2, 4, 8, 16, 32, 64, 128] })
            .AddView("nerclassify.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] })
            .AddPrometheusExporter());
        long maxBytes = builder.Configuration.GetSection("Serving").Get<ServingOptions>()?.MaxRequestBytes ?? new ServingOptions().MaxRequestBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBytes);
        configure?.Invoke(builder);

        WebApplication app = builder.Build();
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/v1/predict", StringComparison.Ordinal), predict => predict.Use(PredictApi.CountRequestsAsync));
        app.MapPost("/v1/predict", PredictApi.PredictAsync);
        app.MapGet("/healthz", (ModelHost host) => host.Failure is { } failure
            ? Results.Problem($"The model could not be loaded: {failure.Message}", statusCode: StatusCodes.Status500InternalServerError)
            : Results.Text("ok"));
        app.MapGet("/readyz", (ModelHost host) => host.Classifier is null
            ? Results.Text("loading", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ready"));
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapPage();
        return app;
    }

    /// <summary>The default loader: a model directory, its <c>model.onnx</c>, or a separate ONNX file, per configuration.</summary>
    public static ModelLoader LoadFromConfiguration(ModelSourceOptions model, ServingOptions serving) => _ =>
    {
        if (string.IsNullOrEmpty(model.Directory))
        {
            throw new InvalidOperationException("Set Model:Directory (environment variable Model__Directory) to a saved model directory.");
        }

        var options = new PredictorOptions
        {
            Compute = ComputeOptions.Default with { Device = DeviceKind.Cpu, Threads = serving.Threads },
            MicroBatching = serving.MicroBatching,
        };
        return (model.Backend, model.OnnxPath) switch
        {
            (ModelBackend.OnnxRuntime, _) or (_, { Length: > 0 }) => OnnxNerClassifier.Load(string.IsNullOrEmpty(model.OnnxPath) ? model.Directory : model.OnnxPath, options),
            _ => NerClassifier.Load(model.Directory, options),
        };
    };
}
