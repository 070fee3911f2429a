# syntax=docker/dockerfile:1
# A silo (silo port 11111, gateway 30000, management port 8081 for health and /metrics).
# Build from the repository root: docker build -f deploy/docker/silo.Dockerfile -t tenant-billing-silo .
# Multi-stage: the SDK only builds; the final image is the ASP.NET Core runtime with the published app,
# running as the image's non-root user (APP_UID). Every setting comes from the environment (deploy/README.md).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/Silo -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
# The image's default ASPNETCORE_HTTP_PORTS would only be overridden (with a warning) by our listeners.
ENV ASPNETCORE_HTTP_PORTS= \
    Management__Url=http://0.0.0.0:8081
EXPOSE 11111 30000 8081
USER $APP_UID
ENTRYPOINT ["dotnet", "TenantBilling.Silo.dll"]
