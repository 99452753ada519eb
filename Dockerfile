# syntax=docker/dockerfile:1
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Bridge/EvolutionHub.Bridge.csproj src/Bridge/
COPY src/Hub/EvolutionHub.Hub.csproj src/Hub/
RUN dotnet restore src/Hub/EvolutionHub.Hub.csproj
COPY appsettings.json ./
COPY src/ src/
RUN dotnet publish src/Hub/EvolutionHub.Hub.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
COPY --chmod=755 docker/healthcheck.sh /usr/local/bin/evolutionhub-healthcheck
RUN mkdir -p /app/data && chown -R "$APP_UID" /app/data
USER $APP_UID
ENV ASPNETCORE_URLS=http://+:8090 \
    HUB_DATA_PATH=/app/data/evolutionhub.db
EXPOSE 8090
VOLUME ["/app/data"]
# Asks the port of ASPNETCORE_URLS (or ASPNETCORE_HTTP_PORTS), so a run with another port stays healthy.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["evolutionhub-healthcheck"]
ENTRYPOINT ["dotnet", "EvolutionHub.Hub.dll"]
