using System.Text;

namespace NerClassify.Tests.IO;

/// <summary>
/// A stand-in for a saved model: the files a model save writes, each stamped with the same generation number,
/// so a reader can tell a complete set from a missing or mixed one.
/// </summary>
internal static class ModelFileSet
{
    public static readonly string[] Files = { "config.json", "model.safetensors", "vocab.txt" };

    /// <summary>Writes generation <paramref name="generation"/> of every file, the weights padded to <paramref name="weightBytes"/>.</summary>
    public static void Write(string directory, int generation, int weightBytes = 0)
    {
        foreach (string file in Files)
        {
            byte[] stamp = Encoding.ASCII.GetBytes($"{generation}\n");
            byte[] content = file == "model.safetensors" ? new byte[Math.Max(stamp.Length, weightBytes)] : stamp;
            stamp.CopyTo(content, 0);
            File.WriteAllBytes(Path.Combine(directory, file), content);
        }
    }

    /// <summary>The generation stamped in one file (its first line).</summary>
    public static int Read(string directory, string file)
    {
        using var reader = new StreamReader(Path.Combine(directory, file), Encoding.ASCII);
        return int.Parse(reader.ReadLine()!);
    }

    /// <summary>The one generation all files carry; throws when one is missing or they disagree.</summary>
    public static int ReadComplete(string directory)
    {
        int[] generations = Files.Select(file => Read(directory, file)).ToArray();
        if (generations.Distinct().Count() != 1)
        {
            throw new InvalidDataException($"'{directory}' mixes generations {string.Join(", ", generations)}.");
        }

        return generations[0];
    }
}
