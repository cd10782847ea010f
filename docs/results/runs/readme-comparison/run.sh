#!/usr/bin/env bash
# Issue 27's comparison, one seed (42, the default of every entry point): the README's `nerclassify train` line, the
# README's multitask C# snippet and the reproduction's default, each as written, on ../shared/data. Each run trains the
# teacher and the student (about 15 minutes on 2 quiet cores); the logs land beside this script.
# Usage, from the repository root: bash docs/results/runs/readme-comparison/run.sh [cli|snippet|reproduction]...
set -euo pipefail
root=$(pwd)
here=$root/docs/results/runs/readme-comparison
data=$(realpath "$root/../shared/data")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The README's programs read train.txt, train.tsv, valid.txt and valid.tsv from the working folder.
for file in conll2003/train.txt conll2003/valid.txt conll2003-topics/train.tsv conll2003-topics/valid.tsv; do
  ln -s "$data/$file" "$work/$(basename "$file")"
done

run_cli() {
  dotnet build "$root/src/NerClassify.Cli" -c Release -o "$work/tool" >/dev/null
  line=$(grep -m1 '^nerclassify train --task multitask' "$root/README.md")
  echo "\$ $line" > "$here/cli.log"
  (cd "$work" && /usr/bin/time -f 'wall %e s, peak %M KB' dotnet "$work/tool/NerClassify.Cli.dll" ${line#nerclassify }) >> "$here/cli.log" 2>&1
}

run_snippet() {
  # The README's C# block that trains on the first 1,000 rows plus the unlabelled rest, compiled as it stands.
  app=$work/snippet
  mkdir -p "$app"
  awk '/^```csharp$/{block=""; inside=1; next} /^```$/{if (inside && block ~ /LabelledCount = 1000/) {printf "%s", block; exit} inside=0; next} inside{block=block $0 "\n"}' \
    "$root/README.md" > "$app/Program.cs"
  cat > "$app/Snippet.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <!-- The runtime package the README's set-up adds beside the library. -->
    <PackageReference Include="TorchSharp-cpu" Version="$(grep -oP 'Include="TorchSharp-cpu" Version="\K[^"]+' "$root/Directory.Packages.props")" />
    <ProjectReference Include="$root/src/NerClassify/NerClassify.csproj" />
    <ProjectReference Include="$root/src/NerClassify.OnnxRuntime/NerClassify.OnnxRuntime.csproj" />
    <ProjectReference Include="$root/src/NerClassify.Pretrained.MiniLM/NerClassify.Pretrained.MiniLM.csproj" />
  </ItemGroup>
</Project>
PROJECT
  dotnet build "$app" -c Release -o "$app/out" >/dev/null
  { echo "\$ the README's multitask snippet:"; cat "$app/Program.cs"; echo; } > "$here/snippet.log"
  (cd "$work" && /usr/bin/time -f 'wall %e s, peak %M KB' dotnet "$app/out/Snippet.dll") >> "$here/snippet.log" 2>&1
}

run_reproduction() {
  out=$work/reproduction
  echo "\$ dotnet run -c Release --project samples/NerClassify.Samples.Reproduction -- --experiments multitask --seeds 42 --output $out" > "$here/reproduction.log"
  /usr/bin/time -f 'wall %e s, peak %M KB' dotnet run -c Release --project "$root/samples/NerClassify.Samples.Reproduction" -- \
    --experiments multitask --seeds 42 --output "$out" >> "$here/reproduction.log" 2>&1
  cp "$out/results.json" "$here/reproduction-results.json"
  cp "$out/valid-halves.tsv" "$root/docs/results/valid-halves.tsv"
}

for job in "${@:-cli snippet reproduction}"; do
  for one in $job; do "run_$one"; done
done
