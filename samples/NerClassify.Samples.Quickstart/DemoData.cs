using NerClassify.Data;
using NerClassify.Training;

namespace NerClassify.Samples.Quickstart;

/// <summary>
/// A small, made-up news dataset written by this sample: sentences from templates with slots for people,
/// places, organisations and miscellaneous names, tagged in IOB2 and labelled with one of five topics.
/// </summary>
internal static class DemoData
{
    public static readonly string[] Topics = ["World", "Sport", "Business", "Technology", "Other"];

    public static readonly string[] TokenLabels = ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER"];

    private static readonly string[] People = ["Anna Lindqvist", "Tomasz Nowak", "Priya Raman", "Kofi Mensah", "Elena Petrova", "Jorge Alvarez", "Mei Tanaka", "Liam O'Connor", "Sofia Rossi", "Ahmed Karim", "Nora Berg", "Daniel Okafor"];
    private static readonly string[] Places = ["Oslo", "Nairobi", "Lisbon", "Santiago", "Hanoi", "Cape Town", "Warsaw", "Toronto", "Montevideo", "Tbilisi", "Perth", "Valencia"];
    private static readonly string[] Organisations = ["Northwind Energy", "Bluebay Bank", "Helix Robotics", "Vantar Motors", "Solvik Pharma", "Quantel Systems", "Riverton United", "Harbor City FC", "Atlas Rovers", "Kestrel Airlines"];
    private static readonly string[] Events = ["Nordic Cup", "Summit Games", "Pacific Open", "Harvest Festival", "Continental League"];
    private static readonly string[] Products = ["Aurora X2", "Zephyr OS", "Nimbus Pad", "Photon Drive"];
    private static readonly string[] Nationalities = ["Norwegian", "Kenyan", "Portuguese", "Chilean", "Polish", "Canadian"];

    private static readonly (string Topic, string Template)[] Templates =
    [
        ("World", "{PER} met leaders in {LOC} to discuss the border agreement ."),
        ("World", "The {MISC} foreign minister {PER} arrived in {LOC} on Monday ."),
        ("World", "Protesters gathered in {LOC} after the election results were announced ."),
        ("World", "{PER} said the talks in {LOC} would resume next week ."),
        ("World", "Aid groups warned that floods near {LOC} had displaced thousands ."),
        ("Sport", "{PER} scored twice as {ORG} beat {ORG} 3-1 in {LOC} ."),
        ("Sport", "{ORG} won the {MISC} final after extra time ."),
        ("Sport", "{PER} finished second in the {MISC} marathon in {LOC} ."),
        ("Sport", "Coach {PER} praised {ORG} after the win on Saturday ."),
        ("Sport", "The {MISC} sprinter {PER} set a new record in {LOC} ."),
        ("Business", "{ORG} shares rose 4 percent after {PER} reported higher profits ."),
        ("Business", "{ORG} agreed to buy a stake in {ORG} for 2 billion dollars ."),
        ("Business", "Chief executive {PER} said {ORG} would cut costs this year ."),
        ("Business", "Investors in {LOC} sold bank stocks as interest rates climbed ."),
        ("Business", "{ORG} opened a new factory near {LOC} , creating 800 jobs ."),
        ("Technology", "{ORG} unveiled the {MISC} at a developer conference in {LOC} ."),
        ("Technology", "{PER} , an engineer at {ORG} , demonstrated a faster battery ."),
        ("Technology", "The {MISC} update adds offline translation , {ORG} said ."),
        ("Technology", "Researchers in {LOC} built a robot that sorts recycling ."),
        ("Technology", "{ORG} released software that lets phones detect heart rhythm problems ."),
        ("Other", "Rain is expected in {LOC} on Thursday with mild temperatures ."),
        ("Other", "{LOC} , March 14"),
        ("Other", "The museum in {LOC} will stay open late during the {MISC} ."),
        ("Other", "{PER} celebrated her 100th birthday with friends in {LOC} ."),
        ("Other", "Results of the weekend lottery draw in {LOC} ."),
    ];

    /// <summary>
    /// The last template of each topic is kept out of training: validation sentences come from these five only, so the
    /// validation score measures sentences the model has never seen the shape of, not new names in known sentences.
    /// </summary>
    public const int HeldOutTemplateCount = 5;

    /// <summary>
    /// Generates <paramref name="count"/> sentences, the same ones for the same seed: from the 20 training templates, or
    /// with <paramref name="heldOut"/> from the 5 held-out ones.
    /// </summary>
    public static IReadOnlyList<TrainingExample> Generate(int count, int seed, bool heldOut = false)
    {
        (string Topic, string Template)[] templates = Templates.Where((_, index) => index % 5 == 4 == heldOut).ToArray();
        var random = new Random(seed);
        var examples = new List<TrainingExample>(count);
        for (int i = 0; i < count; i++)
        {
            (string topic, string template) = templates[i % templates.Length];
            var words = new List<string>();
            var tags = new List<string>();
            foreach (string token in template.Split(' '))
            {
                (string? type, string[] pool) = token switch
                {
                    "{PER}" => ("PER", People),
                    "{LOC}" => ("LOC", Places),
                    "{ORG}" => ("ORG", Organisations),
                    "{MISC}" => ("MISC", topic == "Technology" ? Products : topic == "World" || i % 2 == 0 ? Nationalities.Concat(Events).ToArray() : Events),
                    _ => ((string?)null, [token]),
                };
                string[] filler = pool[random.Next(pool.Length)].Split(' ');
                for (int w = 0; w < filler.Length; w++)
                {
                    words.Add(filler[w]);
                    tags.Add(type is null ? "O" : (w == 0 ? "B-" : "I-") + type);
                }
            }

            examples.Add(new TrainingExample(words, tags, topic));
        }

        return examples;
    }
}
