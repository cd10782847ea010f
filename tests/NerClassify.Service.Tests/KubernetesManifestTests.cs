using FluentAssertions;
using YamlDotNet.RepresentationModel;

namespace NerClassify.Service.Tests;

public sealed class KubernetesManifestTests
{
    private static readonly Dictionary<string, string> ApiVersions = new()
    {
        ["Deployment"] = "apps/v1",
        ["Service"] = "v1",
        ["HorizontalPodAutoscaler"] = "autoscaling/v2",
    };

    private static string Folder => Path.Combine(RepositoryRoot(), "docs", "k8s");

    [Fact]
    public void Manifests_EveryYamlFile_ParsesWithKnownKindsAndApiVersions()
    {
        List<(string File, YamlMappingNode Node)> documents = Documents();

        documents.Select(d => Scalar(d.Node, "kind")).Should().Contain(["Deployment", "Service", "HorizontalPodAutoscaler"]);
        foreach ((string file, YamlMappingNode node) in documents)
        {
            string kind = Scalar(node, "kind");
            ApiVersions.Should().ContainKey(kind, $"{file} declares kind {kind}");
            Scalar(node, "apiVersion").Should().Be(ApiVersions[kind], $"{file} ({kind})");
            Scalar(node, "metadata", "name").Should().NotBeNullOrEmpty($"{file} needs metadata.name");
        }
    }

    [Fact]
    public void Manifests_HorizontalPodAutoscaler_TargetsADeploymentByName()
    {
        List<(string File, YamlMappingNode Node)> documents = Documents();
        var deployments = documents.Where(d => Scalar(d.Node, "kind") == "Deployment").Select(d => Scalar(d.Node, "metadata", "name")).ToHashSet();

        var autoscalers = documents.Where(d => Scalar(d.Node, "kind") == "HorizontalPodAutoscaler").ToList();

        autoscalers.Should().NotBeEmpty();
        foreach ((string file, YamlMappingNode hpa) in autoscalers)
        {
            Scalar(hpa, "spec", "scaleTargetRef", "kind").Should().Be("Deployment", file);
            Scalar(hpa, "spec", "scaleTargetRef", "apiVersion").Should().Be("apps/v1", file);
            deployments.Should().Contain(Scalar(hpa, "spec", "scaleTargetRef", "name"), $"{file} must scale a Deployment defined in docs/k8s");
            int.Parse(Scalar(hpa, "spec", "maxReplicas"), System.Globalization.CultureInfo.InvariantCulture)
                .Should().BeGreaterThanOrEqualTo(int.Parse(Scalar(hpa, "spec", "minReplicas"), System.Globalization.CultureInfo.InvariantCulture), file);
        }
    }

    [Fact]
    public void Manifests_DeploymentsAndServices_SelectorsMatchPodLabels()
    {
        List<(string File, YamlMappingNode Node)> documents = Documents();
        var podLabels = new List<Dictionary<string, string>>();

        foreach ((string file, YamlMappingNode deployment) in documents.Where(d => Scalar(d.Node, "kind") == "Deployment"))
        {
            Dictionary<string, string> selector = Map(deployment, "spec", "selector", "matchLabels");
            Dictionary<string, string> labels = Map(deployment, "spec", "template", "metadata", "labels");
            selector.Should().NotBeEmpty(file);
            labels.Should().Contain(selector, $"{file}: the selector must match the pod template's labels");
            podLabels.Add(labels);
        }

        foreach ((string file, YamlMappingNode service) in documents.Where(d => Scalar(d.Node, "kind") == "Service"))
        {
            Dictionary<string, string> selector = Map(service, "spec", "selector");
            podLabels.Should().Contain(labels => selector.All(s => labels.ContainsKey(s.Key) && labels[s.Key] == s.Value), $"{file} must select the pods of a Deployment in docs/k8s");
        }
    }

    [Fact]
    public void Manifests_EveryContainer_RunsAsNonRootWithAReadOnlyRootAndNoCapabilities()
    {
        foreach ((string file, YamlMappingNode container) in Containers())
        {
            Scalar(container, "securityContext", "runAsNonRoot").Should().Be("true", file);
            Scalar(container, "securityContext", "allowPrivilegeEscalation").Should().Be("false", file);
            Scalar(container, "securityContext", "readOnlyRootFilesystem").Should().Be("true", file);
            (Node(container, "securityContext", "capabilities", "drop") as YamlSequenceNode).Should().NotBeNull(file)
                .And.Subject.As<YamlSequenceNode>().Children.OfType<YamlScalarNode>().Select(n => n.Value).Should().Contain("ALL", file);
        }
    }

    [Fact]
    public void Manifests_ServiceContainer_DrainsBeforeStoppingAndKeepsMicroBatchingAsTheServiceDefault()
    {
        YamlMappingNode container = Containers().Single(c => c.File == "nerclassify-deployment.yaml").Container;

        Node(container, "lifecycle", "preStop").Should().NotBeNull("the pod must leave the Service's endpoints before Kestrel stops");
        var env = ((YamlSequenceNode)Node(container, "env")!).Children.Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name"), e => Scalar(e, "value"));
        bool enabled = !env.TryGetValue("Serving__MicroBatching__Enabled", out string? value) || bool.Parse(value);
        enabled.Should().Be(new NerClassify.Samples.Service.ServingOptions().MicroBatching.Enabled, "the manifest runs what docs/serving.md measured as the default");
    }

    [Fact]
    public void Manifests_TritonContainer_RequestsAGpuAndHasAStartupProbe()
    {
        YamlMappingNode container = Containers().Single(c => c.File == "triton-deployment.yaml").Container;

        Scalar(container, "resources", "limits", "nvidia.com/gpu").Should().Be("1");
        Scalar(container, "startupProbe", "httpGet", "path").Should().Be("/v2/health/ready");
    }

    private static IEnumerable<(string File, YamlMappingNode Container)> Containers() =>
        Documents().Where(d => Scalar(d.Node, "kind") == "Deployment")
            .SelectMany(d => ((YamlSequenceNode)Node(d.Node, "spec", "template", "spec", "containers")!).Children.Cast<YamlMappingNode>().Select(c => (d.File, c)));

    private static List<(string File, YamlMappingNode Node)> Documents()
    {
        string[] files = Directory.GetFiles(Folder, "*.yaml").Concat(Directory.GetFiles(Folder, "*.yml")).Order(StringComparer.Ordinal).ToArray();
        files.Should().NotBeEmpty($"{Folder} holds the manifests");
        var documents = new List<(string, YamlMappingNode)>();
        foreach (string file in files)
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file))
            {
                stream.Load(reader); // throws YamlException with line and column on bad syntax
            }

            foreach (YamlDocument document in stream.Documents)
            {
                document.RootNode.Should().BeOfType<YamlMappingNode>($"{file}: each document is a mapping");
                documents.Add((Path.GetFileName(file), (YamlMappingNode)document.RootNode));
            }
        }

        return documents;
    }

    private static YamlNode? Node(YamlMappingNode root, params string[] path)
    {
        YamlNode? node = root;
        foreach (string key in path)
        {
            node = node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? child) ? child : null;
        }

        return node;
    }

    private static string Scalar(YamlMappingNode root, params string[] path) =>
        (Node(root, path) as YamlScalarNode)?.Value ?? throw new InvalidDataException($"No scalar at {string.Join('.', path)}.");

    private static Dictionary<string, string> Map(YamlMappingNode root, params string[] path) =>
        (Node(root, path) as YamlMappingNode ?? throw new InvalidDataException($"No mapping at {string.Join('.', path)}."))
            .Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!);

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NerClassify.Library.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No NerClassify.Library.sln above {AppContext.BaseDirectory}.");
    }
}
