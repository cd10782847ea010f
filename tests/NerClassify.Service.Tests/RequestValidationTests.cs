using System.Net;
using System.Text;
using FluentAssertions;
using Microsoft.Extensions.Options;
using NerClassify.Samples.Service;

namespace NerClassify.Service.Tests;

public sealed class RequestValidationTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Predict_ValidJsonWithoutAJsonContentType_Returns415Problem(string? contentType)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"text\": \"Paris\"}"));
        if (contentType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        using HttpResponseMessage response = await service.Client.PostAsync("/v1/predict", content);

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("application/json");
    }

    [Theory]
    [InlineData("{\"text\": \"Paris\", \"text\": \"London\"}", "text")]
    [InlineData("{\"TEXT\": \"Paris\"}", "TEXT")]
    [InlineData("{\"Texts\": [\"Paris\"]}", "Texts")]
    [InlineData("{\"text\": \"Paris\", \"lang\": \"en\"}", "lang")]
    public async Task Predict_DuplicateWrongCaseOrUnknownKey_Returns400NamingTheKey(string body, string key)
    {
        using HttpResponseMessage response = await PostJsonAsync(body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain($"'{key}'");
    }

    [Theory]
    [InlineData("{\"text\": \"\"}", "text is empty")]
    [InlineData("{\"text\": \"   \"}", "text is empty")]
    [InlineData("{\"texts\": [\"Paris\", \"\"]}", "texts[1] is empty")]
    [InlineData("{\"texts\": []}", "texts is empty")]
    public async Task Predict_EmptyText_Returns400NamingIt(string body, string detail)
    {
        using HttpResponseMessage response = await PostJsonAsync(body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain(detail);
    }

    [Fact]
    public async Task Start_MaxTextCharsAboveTheLibrarysMaxInputLength_IsRefusedNamingBothLimits()
    {
        WebApplication app = ServiceApp.Build(["--urls", "http://127.0.0.1:0", $"--Model:Directory={service.ModelDirectory}", "--Serving:MaxTextChars=200000"]);
        try
        {
            Func<Task> start = () => app.StartAsync();

            (await start.Should().ThrowAsync<OptionsValidationException>())
                .Which.Message.Should().Contain("Serving:MaxTextChars").And.Contain("200000").And.Contain("MaxInputLength");
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private Task<HttpResponseMessage> PostJsonAsync(string body) =>
        service.Client.PostAsync("/v1/predict", new StringContent(body, Encoding.UTF8, "application/json"));
}
