# Build: docker build -t concernmap .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/concernmap ./cmd/concernmap

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/concernmap /usr/local/bin/concernmap
# The embedded store lives here when no DATABASE_URL is set.
VOLUME /data
ENV CONCERNMAP_DATA_DIR=/data CONCERNMAP_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot
ENTRYPOINT ["concernmap"]
CMD ["serve"]
