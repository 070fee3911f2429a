# syntax=docker/dockerfile:1
# The API (REST on 8080; health, /metrics and the dashboard on the management port 8081).
# Build from the repository root: docker build -f deploy/docker/api.Dockerfile -t tenant-billing-api .
# Multi-stage: the SDK only builds; the final image is the ASP.NET Core runtime with the published app,
# running as the image's non-root user (APP_UID). Every setting comes from the environment (deploy/README.md).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/Api -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
# The image's default ASPNETCORE_HTTP_PORTS would only be overridden (with a warning) by our listeners.
ENV ASPNETCORE_HTTP_PORTS= \
    Urls=http://0.0.0.0:8080 \
    Management__Url=http://0.0.0.0:8081
EXPOSE 8080 8081
USER $APP_UID
ENTRYPOINT ["dotnet", "TenantBilling.Api.dll"]
