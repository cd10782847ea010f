using System.Globalization;
using System.Text;

namespace NerClassify.Tests.Export;

/// <summary>
/// A small reader of protobuf text format (what Triton's <c>config.pbtxt</c> is written in), independent of the
/// writer under test: a message is a map from field name to its values in order; a value is a string, a long, an
/// enum identifier or a nested message; <c>[a, b]</c> lists add repeated values.
/// </summary>
internal sealed class TextProto
{
    private readonly List<string> _tokens;
    private int _next;

    private TextProto(List<string> tokens) => _tokens = tokens;

    public static Dictionary<string, List<object>> Parse(string text)
    {
        var reader = new TextProto(Tokenize(text));
        Dictionary<string, List<object>> message = reader.Message(end: null);
        return message;
    }

    private Dictionary<string, List<object>> Message(string? end)
    {
        var fields = new Dictionary<string, List<object>>();
        while (_next < _tokens.Count && _tokens[_next] != end)
        {
            string name = _tokens[_next++];
            if (!char.IsLetter(name[0]) && name[0] != '_')
            {
                throw new FormatException($"Token {_next}: expected a field name, got '{name}'.");
            }

            if (Peek() == ":")
            {
                _next++;
            }

            List<object> values = fields.TryGetValue(name, out List<object>? existing) ? existing : fields[name] = [];
            if (Peek() == "[")
            {
                _next++;
                while (Peek() != "]")
                {
                    values.Add(Value());
                    if (Peek() == ",")
                    {
                        _next++;
                    }
                }

                _next++;
            }
            else
            {
                values.Add(Value());
            }

            if (Peek() is "," or ";")
            {
                _next++;
            }
        }

        if (end is not null)
        {
            if (_next >= _tokens.Count)
            {
                throw new FormatException($"Missing '{end}'.");
            }

            _next++;
        }

        return fields;
    }

    private object Value()
    {
        string token = _tokens[_next++];
        if (token is "{" or "<")
        {
            return Message(token == "{" ? "}" : ">");
        }

        if (token.StartsWith('"'))
        {
            return token[1..^1];
        }

        if (token[0] == '-' || char.IsDigit(token[0]))
        {
            return long.Parse(token, CultureInfo.InvariantCulture);
        }

        return token; // an enum identifier or true/false
    }

    private string? Peek() => _next < _tokens.Count ? _tokens[_next] : null;

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if ("{}[]<>:,;".Contains(c))
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c == '"')
            {
                var value = new StringBuilder("\"");
                i++;
                while (text[i] != '"')
                {
                    value.Append(text[i] == '\\' ? text[++i] : text[i]);
                    i++;
                }

                tokens.Add(value.Append('"').ToString());
                i++;
            }
            else
            {
                int start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '-' or '.'))
                {
                    i++;
                }

                if (start == i)
                {
                    throw new FormatException($"Unexpected character '{c}' at offset {i}.");
                }

                tokens.Add(text[start..i]);
            }
        }

        return tokens;
    }
}
