# syntax=docker/dockerfile:1
# IsrProxy's container image. From the repository root:   docker build -t isrproxy:latest .
# The SDK stage restores and publishes; the final image holds the ASP.NET Core runtime and the app, no SDK.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The project files alone first, so the restore layer is reused until one of them changes.
COPY Directory.Build.props .editorconfig ./
COPY src/IsrProxy/IsrProxy.csproj src/IsrProxy/
RUN dotnet restore src/IsrProxy/IsrProxy.csproj
COPY appsettings.json ./
COPY src/IsrProxy/ src/IsrProxy/
COPY deploy/publish.sh deploy/
RUN sh deploy/publish.sh /app

# Chiseled Ubuntu: no shell, no package manager; runs as the non-root user "app".
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS final
WORKDIR /app
COPY --from=build /app ./
# The listening address goes in `Urls`, not ASPNETCORE_URLS: appsettings.json's `Urls` outranks ASPNETCORE_ variables,
# and plain variables outrank appsettings.json. Configuration: mount an appsettings.json over /app/appsettings.json
# (or mount a folder holding one and make it the working directory), and set `Isr__...` variables.
ENV Urls=http://+:8080
# .NET recompiles hot methods with full optimisation only after 100 ms without new compilations, and waits ten times
# longer when the container is given one core: under steady traffic a new replica would then run slower code for
# half a minute or more. Without the delay it reaches full speed within seconds (bench/README.md).
ENV DOTNET_TC_CallCountingDelayMs=0
USER $APP_UID
EXPOSE 8080
# No curl in the image: the app asks its own /healthz (see `--healthcheck` in the README).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["dotnet", "/app/IsrProxy.dll", "--healthcheck"]
ENTRYPOINT ["dotnet", "/app/IsrProxy.dll"]
