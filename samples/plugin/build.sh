#!/usr/bin/env bash
# Builds the sample plug-in assembly Contoso.Plugins in three versions with mono, into bin/<version>/:
#   1.0.0.0  AccountPreCreate, AccountPostUpdate, ContactPreUpdate (plug-ins), Activities.CalculateDiscount
#   1.0.1.0  the same plus ContactPostCreate
#   2.0.0.0  the same types as 1.0.1.0
# Each targets .NET Framework 4.6.2 (compiled against mono's 4.6.2 reference assemblies) and is signed with
# key.snk. Builds are reproducible: the same sources and key give the same bytes (see normalize.ts).
# The SDK references are stand-ins compiled from stubs/ (not the real Dataverse SDK).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
key="$here/key.snk"
[ -f "$key" ] || sn -q -k "$key" >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sn -q -p "$key" "$work/key.public.snk" >/dev/null
mcs_lib() { mcs -nologo -sdk:4.6.2-api -target:library -warn:0 "$@"; }

# Stand-in SDK assemblies, signed (a signed assembly may only reference signed ones).
mcs_lib -keyfile:"$key" -out:"$work/Microsoft.Xrm.Sdk.dll" "$here/stubs/Microsoft.Xrm.Sdk.cs"
mcs_lib -keyfile:"$key" -out:"$work/System.Activities.dll" "$here/stubs/System.Activities.cs"

build() {
  local version="$1"; shift
  local out="$here/bin/$version"
  mkdir -p "$out"
  cat > "$work/AssemblyInfo.cs" <<CS
using System.Reflection;
using System.Runtime.Versioning;
[assembly: AssemblyTitle("Contoso.Plugins")]
[assembly: AssemblyCompany("Contoso")]
[assembly: AssemblyVersion("$version")]
[assembly: AssemblyFileVersion("$version")]
[assembly: TargetFramework(".NETFramework,Version=v4.6.2", FrameworkDisplayName = ".NET Framework 4.6.2")]
CS
  local sources=("$work/AssemblyInfo.cs")
  for f in "$@"; do sources+=("$here/src/$f"); done
  mcs_lib -keyfile:"$work/key.public.snk" -delaysign+ -r:"$work/Microsoft.Xrm.Sdk.dll" -r:"$work/System.Activities.dll" \
    -out:"$work/Contoso.Plugins.dll" "${sources[@]}"
  (cd "$root" && node --import tsx "$here/normalize.ts" "$work/Contoso.Plugins.dll")
  sn -q -R "$work/Contoso.Plugins.dll" "$key" >/dev/null
  mv "$work/Contoso.Plugins.dll" "$out/Contoso.Plugins.dll"
}

common=(PluginBase.cs AccountPreCreate.cs AccountPostUpdate.cs ContactPreUpdate.cs Activities/CalculateDiscount.cs)
build 1.0.0.0 "${common[@]}"
build 1.0.1.0 "${common[@]}" ContactPostCreate.cs
build 2.0.0.0 "${common[@]}" ContactPostCreate.cs
