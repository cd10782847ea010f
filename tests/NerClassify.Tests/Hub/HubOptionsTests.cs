using FluentAssertions;
using NerClassify.Hub;

namespace NerClassify.Tests.Hub;

public sealed class HubOptionsTests
{
    [Fact]
    public void Validate_NegativeMaxRetries_ThrowsNamingProperty()
    {
        Action act = () => new HubOptions { MaxRetries = -1 }.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(HubOptions.MaxRetries));
    }

    [Fact]
    public void Validate_RelativeEndpoint_ThrowsNamingProperty()
    {
        Action act = () => new HubOptions { Endpoint = "huggingface.co" }.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(HubOptions.Endpoint));
    }

    [Fact]
    public void Validate_RevisionWithDotDot_ThrowsNamingProperty()
    {
        Action act = () => new HubOptions { Revision = "../x" }.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(HubOptions.Revision));
    }

    [Fact]
    public void ToString_WithToken_HidesIt()
    {
        new HubOptions { Token = "hf_secret" }.ToString().Should().NotContain("hf_secret").And.Contain("***");
    }

    [Fact]
    public void Resolve_UnsetOptions_TakesEnvironment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["HF_ENDPOINT"] = "https://mirror.example/",
            ["HF_TOKEN"] = "hf_env",
            ["HF_HUB_OFFLINE"] = "true",
            ["HF_HUB_CACHE"] = "/tmp/hf-cache",
        };

        HubSettings settings = HubSettings.Resolve(new HubOptions(), environment.GetValueOrDefault);

        settings.Endpoint.Should().Be(new Uri("https://mirror.example"));
        settings.Token.Should().Be("hf_env");
        settings.Offline.Should().BeTrue();
        settings.CacheDirectory.Should().Be(Path.GetFullPath("/tmp/hf-cache"));
        settings.Revision.Should().Be("main");
    }

    [Fact]
    public void Resolve_OptionsSet_OverrideEnvironment()
    {
        var environment = new Dictionary<string, string?> { ["HF_TOKEN"] = "hf_env", ["HF_HUB_OFFLINE"] = "1", ["HF_ENDPOINT"] = "https://mirror.example" };

        HubSettings settings = HubSettings.Resolve(new HubOptions { Token = "hf_option", Offline = false, Endpoint = "http://127.0.0.1:1" }, environment.GetValueOrDefault);

        settings.Token.Should().Be("hf_option");
        settings.Offline.Should().BeFalse();
        settings.Endpoint.Authority.Should().Be("127.0.0.1:1");
    }

    [Fact]
    public void Resolve_NothingSet_UsesHuggingFaceDefaults()
    {
        HubSettings settings = HubSettings.Resolve(new HubOptions(), _ => null);

        settings.Endpoint.Should().Be(new Uri(HubOptions.DefaultEndpoint));
        settings.Token.Should().BeNull();
        settings.Offline.Should().BeFalse();
        settings.CacheDirectory.Should().EndWith(Path.Combine(".cache", "huggingface", "hub"));
    }

    [Fact]
    public void DefaultCacheDirectory_HfHomeSet_UsesItsHubFolder()
    {
        string directory = HubSettings.DefaultCacheDirectory(name => name == "HF_HOME" ? "/data/hf" : null);

        directory.Should().Be(Path.Combine("/data/hf", "hub"));
    }
}
