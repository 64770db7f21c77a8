# Build: docker build -t concernmap .
# The web app's bundle, which the Go build embeds.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/static/assets ./web/static/assets
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/concernmap ./cmd/concernmap \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/concernmap /usr/local/bin/concernmap
# distroless has no shell to mkdir with, so the data directory comes from the
# build stage, owned by the nonroot user (65532).
COPY --from=build --chown=65532:65532 /out/data /data
# The embedded store lives here when no DATABASE_URL is set.
VOLUME /data
ENV CONCERNMAP_DATA_DIR=/data CONCERNMAP_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot
ENTRYPOINT ["concernmap"]
CMD ["serve"]
