namespace NerClassify.Tests.TestSupport;

/// <summary>A fact that is skipped off Linux (<see cref="LinuxOnly"/>) or in a privileged process (<see cref="Unprivileged"/>), where file permissions do not stop it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PlatformFactAttribute : FactAttribute
{
    /// <summary>Skip the test on any OS but Linux.</summary>
    public bool LinuxOnly { get; set; }

    /// <summary>Skip the test when running as root (or elevated), which ignores permission bits.</summary>
    public bool Unprivileged { get; set; }

    public override string? Skip
    {
        get => base.Skip
            ?? (LinuxOnly && !OperatingSystem.IsLinux() ? "Needs Linux." : null)
            ?? (Unprivileged && (Environment.IsPrivilegedProcess || OperatingSystem.IsWindows()) ? "Permission bits do not stop a privileged process (or Windows)." : null);
        set => base.Skip = value;
    }
}
