using System.Text.Json;
using FluentAssertions;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace NerClassify.Service.Tests.Page;

/// <summary>The page at <c>GET /</c>, driven in headless Chromium against the service with <see cref="GazetteerPredictor"/>.</summary>
public sealed class PageTests(PageFixture fixture, ITestOutputHelper output) : IClassFixture<PageFixture>
{
    private const string Sentence = "Kofi Mensah met officials in Hanoi.";

    // Every entity mark, with its offset found by walking the text before it (not read back from its data attributes).
    private const string ReadMarks = """
        () => [...document.querySelectorAll('#results .entity')].map(mark => {
          const paragraph = mark.closest('.prediction-text');
          const range = document.createRange();
          range.setStart(paragraph, 0);
          range.setEndBefore(mark);
          const start = range.toString().length;
          return { text: mark.textContent, type: mark.dataset.type, start, end: start + mark.textContent.length,
                   title: mark.title, color: mark.dataset.color };
        })
        """;

    [ChromiumFact]
    public async Task Page_Loads_WithoutConsoleErrorsAndWithTheModelsEntityTypes()
    {
        var errors = new List<string>();
        await using IPage page = await fixture.OpenAsync(errors);

        string[] legend = await page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('#legend .legend-item')].map(i => i.textContent)");
        string title = await page.GetTitleAsync();

        legend.Should().Equal("PER", "LOC", "ORG", "MISC");
        title.Should().Be("NerClassify");
        errors.Should().BeEmpty();
    }

    [ChromiumFact]
    public async Task Predict_TypedSentence_HighlightsThePersonAndTheCityWithTypesSpansAndScores()
    {
        var errors = new List<string>();
        await using IPage page = await fixture.OpenAsync(errors);

        await page.TypeAsync("#text", Sentence);
        await page.ClickAsync("#predict");
        await page.WaitForSelectorAsync("#results .entity");

        Mark[] marks = await page.EvaluateFunctionAsync<Mark[]>(ReadMarks);
        string shown = await page.EvaluateExpressionAsync<string>("document.querySelector('#results .prediction-text').textContent");
        marks.Select(m => (m.Text, m.Type, m.Start, m.End)).Should().Equal(("Kofi Mensah", "PER", 0, 11), ("Hanoi", "LOC", 29, 34));
        marks.Select(m => m.Title).Should().Equal("PER, score 0.981", "LOC, score 0.967");
        marks[0].Color.Should().NotBe(marks[1].Color, "each type has its own colour");
        shown.Should().Be(Sentence, "the highlighted text is the typed text, unchanged");
        errors.Should().BeEmpty();
    }

    [ChromiumFact]
    public async Task Predict_SentenceClasses_ShowsTheLabelAndOneBarPerClass()
    {
        await using IPage page = await fixture.OpenAsync([]);

        await page.TypeAsync("#text", "Amara Okafor scored the winning goal of the match in Lisbon.");
        await page.ClickAsync("#predict");
        await page.WaitForSelectorAsync("#results .bar-row");

        string top = await page.EvaluateExpressionAsync<string>("document.querySelector('.sentence-top').textContent");
        string[] rows = await page.EvaluateFunctionAsync<string[]>(
            "() => [...document.querySelectorAll('#results .bar-row')].map(r => r.querySelector('.bar-label').textContent + ' ' + r.querySelector('.bar-value').textContent)");
        top.Should().Be("Sport");
        rows.Should().Equal("World 20.0%", "Sport 60.0%", "Business 20.0%");
    }

    [ChromiumFact]
    public async Task Predict_TextHoldingMarkup_RendersItAsText()
    {
        const string text = "<script>window.injected = 1</script><img src=x onerror=\"window.injected = 2\"> Kofi Mensah <b>bold</b>";
        await using IPage page = await fixture.OpenAsync([]);

        await page.TypeAsync("#text", text);
        await page.ClickAsync("#predict");
        await page.WaitForSelectorAsync("#results .entity");

        string shown = await page.EvaluateExpressionAsync<string>("document.querySelector('#results .prediction-text').textContent");
        int elements = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#results script, #results img, #results b').length");
        bool injected = await page.EvaluateExpressionAsync<bool>("'injected' in window");
        shown.Should().Be(text);
        elements.Should().Be(0);
        injected.Should().BeFalse();
    }

    [ChromiumFact]
    public async Task Predict_CtrlEnterInTheTextBox_SubmitsAndKeepsLineBreaks()
    {
        await using IPage page = await fixture.OpenAsync([]);

        await page.FocusAsync("#text");
        await page.Keyboard.TypeAsync("Kofi Mensah arrived.");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.TypeAsync("He left for Hanoi.");
        await page.Keyboard.DownAsync("Control");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.UpAsync("Control");
        await page.WaitForSelectorAsync("#results .entity");

        string rendered = await page.EvaluateExpressionAsync<string>("document.querySelector('#results .prediction-text').innerText");
        Mark[] marks = await page.EvaluateFunctionAsync<Mark[]>(ReadMarks);
        rendered.Split('\n').Should().HaveCount(3, "the two line breaks stay line breaks on screen");
        marks.Select(m => (m.Text, m.Start)).Should().Equal(("Kofi Mensah", 0), ("Hanoi", 34));
    }

    [ChromiumFact]
    public async Task Predict_DocumentSwitchOn_SendsEachLineAsASentenceOfOneDocument()
    {
        await using IPage page = await fixture.OpenAsync([]);
        var bodies = new List<string>();
        page.Request += (_, e) =>
        {
            if (e.Request.Url.EndsWith("/v1/predict", StringComparison.Ordinal))
            {
                bodies.Add(e.Request.PostData?.ToString() ?? string.Empty);
            }
        };

        await page.TypeAsync("#text", "Kofi Mensah met officials.");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.TypeAsync("Talks went on in Hanoi.");
        await page.ClickAsync("#document");
        await page.ClickAsync("#predict");
        await page.WaitForSelectorAsync("#results .prediction + .prediction");

        int predictions = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#results .prediction').length");
        using JsonDocument sent = JsonDocument.Parse(bodies.Single());
        sent.RootElement.GetProperty("document").GetBoolean().Should().BeTrue();
        sent.RootElement.GetProperty("texts").EnumerateArray().Select(t => t.GetString()).Should().Equal("Kofi Mensah met officials.", "Talks went on in Hanoi.");
        predictions.Should().Be(2);
    }

    [ChromiumFact]
    public async Task Predict_TextOverTheLimit_ShowsThe413MessageInWords()
    {
        await using IPage page = await fixture.OpenAsync([]);
        string text = string.Concat(Enumerable.Repeat("Kofi Mensah met officials in Hanoi. ", 20));

        // Setting the value is the same to the page as typing it, and 720 keystrokes would only slow the test.
        await page.EvaluateFunctionAsync("t => { document.getElementById('text').value = t; }", text);
        await page.ClickAsync("#predict");
        await page.WaitForSelectorAsync("#error:not([hidden])");

        string message = await page.EvaluateExpressionAsync<string>("document.getElementById('error').textContent");
        int predictions = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#results .prediction').length");
        message.Should().Contain("too large").And.Contain("413").And.Contain($"{text.Length} characters; at most {PageFixture.MaxTextChars}");
        predictions.Should().Be(0);
    }

    [ChromiumFact]
    public async Task Page_LightAndDarkSchemes_KeepEntityColoursLegibleAndSaveScreenshots()
    {
        foreach (string scheme in new[] { "light", "dark" })
        {
            var errors = new List<string>();
            await using IPage page = await fixture.OpenAsync(errors, scheme);
            await page.TypeAsync("#text", "Kofi Mensah met officials of Acme Corp in Hanoi.");
            await page.Keyboard.PressAsync("Enter");
            await page.Keyboard.TypeAsync("Amara Okafor flew to Lisbon for the World Cup match.");
            await page.ClickAsync("#predict");
            await page.WaitForSelectorAsync("#results .entity");
            await page.HoverAsync("#results .entity");

            string file = Path.Combine(fixture.ArtifactsDirectory, $"page-{scheme}.png");
            await page.ScreenshotAsync(file, new ScreenshotOptions { FullPage = true });
            output.WriteLine($"screenshot: {file}");

            // WCAG contrast of text on background for every coloured chip and mark, as the browser computed them.
            double[] contrasts = await page.EvaluateFunctionAsync<double[]>("""
                () => {
                  const rgb = s => s.match(/[\d.]+/g).slice(0, 3).map(Number);
                  const luminance = c => {
                    const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
                  };
                  return [...document.querySelectorAll('.legend-item, .entity')].map(e => {
                    const style = getComputedStyle(e);
                    const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
                    return (a + 0.05) / (b + 0.05);
                  });
                }
                """);
            string detail = await page.EvaluateExpressionAsync<string>("document.getElementById('entity-detail').textContent");

            new FileInfo(file).Length.Should().BeGreaterThan(10_000);
            contrasts.Should().HaveCount(4 + 6).And.OnlyContain(c => c >= 4.5, $"text on every entity colour must be readable in the {scheme} scheme");
            detail.Should().Be("Kofi Mensah: PER, score 0.981", "hovering an entity shows its score");
            errors.Should().BeEmpty();
        }
    }

    public sealed record Mark(string Text, string Type, int Start, int End, string Title, string Color);
}
