using Microsoft.Extensions.AI;

namespace NerClassify.Tests.Labelling;

/// <summary>One request seen by <see cref="FakeChatClient"/>.</summary>
internal sealed record FakeRequest(int CallNumber, IReadOnlyList<ChatMessage> Messages, ChatOptions? Options)
{
    private const string InputMarker = "Input: ";

    /// <summary>The sentence of the last user message (the text after the last <c>Input: </c>).</summary>
    public string Sentence
    {
        get
        {
            string text = Messages[^1].Text;
            int at = text.LastIndexOf(InputMarker, StringComparison.Ordinal);
            return at < 0 ? text : text[(at + InputMarker.Length)..];
        }
    }
}
