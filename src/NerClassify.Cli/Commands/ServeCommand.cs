using System.CommandLine;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NerClassify.Samples.Service;

namespace NerClassify.Cli.Commands;

/// <summary>
/// <c>nerclassify serve DIR [--port N] [--onnx]</c>: runs the sample service (<see cref="ServiceApp"/>: the page at
/// <c>/</c>, <c>POST /v1/predict</c>, the health and metrics endpoints) on loopback until Ctrl+C.
/// </summary>
internal static class ServeCommand
{
    public const int DefaultPort = 8080;

    public static Command Create(CliContextFactory contexts)
    {
        var model = new Argument<string>("DIR")
        {
            Description = "A saved model directory; with --onnx, a directory holding model.onnx (nerclassify export) or an .onnx file.",
        };
        var port = new Option<int>("--port")
        {
            Description = "The port on 127.0.0.1 to listen on; 0 picks a free one.",
            DefaultValueFactory = _ => DefaultPort,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                result.AddError("--port must be between 0 and 65535.");
            }
        });
        var onnx = new Option<bool>("--onnx") { Description = "Run the ONNX export with ONNX Runtime instead of the TorchSharp model." };
        var command = new Command("serve", "Serve a model over HTTP: a page that highlights entities at /, and the JSON API at /v1/predict.") { model };
        command.Options.Add(port);
        command.Options.Add(onnx);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            CliContext context = contexts.Create(parsed);
            string path = parsed.GetValue(model)!;
            bool useOnnx = parsed.GetValue(onnx);
            string[] args =
            [
                "--urls", string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{parsed.GetValue(port)}"),
                // Settings come from the tool's own folder and the environment (Serving__MaxTextChars=...), never from
                // an appsettings.json that happens to be in the current directory.
                "--contentRoot", AppContext.BaseDirectory,
                .. ModelArguments(path, useOnnx),
            ];
            await using WebApplication app = ServiceApp.Build(args, builder =>
            {
                builder.Logging.ClearProviders();
                builder.Services.AddSingleton(context.LoggerFactory);
            });
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                string url = app.Urls.First() + "/";
                context.Output.WriteLine($"Serving {path} ({(useOnnx ? "ONNX Runtime" : "TorchSharp")}) at {url}");
                context.Output.Flush();
                ModelHost host = app.Services.GetRequiredService<ModelHost>();
                await WaitForModelAsync(host, cancellationToken).ConfigureAwait(false);
                context.Say($"Model loaded. Open {url} in a browser; Ctrl+C stops.");
                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return CliApplication.Success;
        });
        return command;
    }

    /// <summary>The service's <c>Model</c> settings for DIR, after checking it holds what the backend needs.</summary>
    private static string[] ModelArguments(string path, bool useOnnx)
    {
        bool isFile = File.Exists(path);
        if (!isFile && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"Model '{path}' was not found: give a saved model directory, or with --onnx a directory holding {ModelOpener.OnnxFile} or an .onnx file.", path);
        }

        string full = Path.GetFullPath(path);
        if (!useOnnx)
        {
            return isFile
                ? throw new UsageException($"'{path}' is a file; add --onnx to serve an ONNX export, or give a saved model directory.")
                : [$"--Model:Directory={full}", "--Model:Backend=TorchSharp"];
        }

        if (isFile)
        {
            // An .onnx file carries its configuration and vocabulary in its metadata.
            return [$"--Model:Directory={Path.GetDirectoryName(full)}", $"--Model:OnnxPath={full}"];
        }

        return File.Exists(Path.Combine(full, ModelOpener.OnnxFile))
            ? [$"--Model:Directory={full}", "--Model:Backend=OnnxRuntime"]
            : throw new FileNotFoundException($"'{path}' holds no {ModelOpener.OnnxFile}; write one with 'nerclassify export {path} --onnx {path}', or serve it without --onnx.", Path.Combine(full, ModelOpener.OnnxFile));
    }

    /// <summary>Waits until the service has loaded and warmed up the model; rethrows a load failure so the exit code says what went wrong.</summary>
    private static async Task WaitForModelAsync(ModelHost host, CancellationToken cancellationToken)
    {
        while (host.Classifier is null)
        {
            if (host.Failure is { } failure)
            {
                throw failure;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }
}
