using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using NerClassify.Configuration;
using NerClassify.Data;

namespace NerClassify.Samples.Service;

/// <summary>
/// The page at <c>GET /</c> that highlights a text's entities, its script and style (embedded in this assembly, under
/// <c>/ui/</c>), and <c>GET /v1/model</c>, which tells the page the model's entity types and sentence classes.
/// </summary>
public static class PageEndpoints
{
    /// <summary>The URL path of the page's script, style and icon.</summary>
    public const string AssetsPath = "/ui";

    // The page loads only its own script and style and talks only to this service: even text that slipped through
    // unescaped could not run a script or load anything from elsewhere.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly EmbeddedFileProvider Files = new(typeof(PageEndpoints).Assembly, $"{typeof(PageEndpoints).Namespace}.Page");

    /// <summary>Maps <c>GET /</c>, the files under <c>/ui/</c> and <c>GET /v1/model</c>.</summary>
    public static WebApplication MapPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            RequestPath = AssetsPath,
            OnPrepareResponse = file => file.Context.Response.Headers.XContentTypeOptions = "nosniff",
        });
        app.MapGet("/", (HttpContext context) =>
        {
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Stream(Files.GetFileInfo("index.html").CreateReadStream(), "text/html; charset=utf-8");
        });
        app.MapGet("/v1/model", (ModelHost host, IOptions<ServingOptions> serving) => host.Classifier is not { } classifier
            ? Results.Problem("The model is not loaded yet.", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(Describe(classifier.Config, serving.Value), PredictApi.Json));
        return app;
    }

    /// <summary>What the page needs to know about a model before its first prediction.</summary>
    public static ModelDescription Describe(ModelConfig config, ServingOptions serving)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(serving);
        IReadOnlyList<string> entityTypes = config.TokenLabels is { Count: > 0 } tags ? LabelSet.FromLabels(tags).EntityTypes : [];
        return new ModelDescription(config.Task.ToString(), entityTypes, config.SequenceLabels ?? [], serving.MaxTexts, serving.MaxTextChars);
    }
}
