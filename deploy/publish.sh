#!/bin/sh
# Publishes IsrProxy the way its container image runs it: Release, framework-dependent (the image brings the ASP.NET
# Core runtime), started as `dotnet IsrProxy.dll` (no native launcher), no IIS web.config. The Dockerfile and .ci/run
# both run this script, so the image and continuous integration publish with the same arguments.
#
# Usage: deploy/publish.sh <output folder>
set -eu

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  echo "usage: deploy/publish.sh <output folder>" >&2
  exit 64
fi

out=$1
case "$out" in
  /*) ;;
  *) out="$(pwd)/$out" ;;
esac
cd "$(dirname "$0")/.."

dotnet publish src/IsrProxy/IsrProxy.csproj \
  --configuration Release \
  --output "$out" \
  --no-self-contained \
  -p:UseAppHost=false \
  -p:IsTransformWebConfigDisabled=true

# The image starts `dotnet IsrProxy.dll`, which needs YARP's assembly and the configuration beside it.
for file in IsrProxy.dll Yarp.ReverseProxy.dll appsettings.json; do
  if [ ! -f "$out/$file" ]; then
    echo "deploy/publish.sh: $file is missing from $out; the image would not start." >&2
    exit 1
  fi
done
