# CloudOven in a container: `docker build -t cloudoven .` then
# `docker run -p 8080:8080 -v cloudoven-data:/data cloudoven`. Without a registry,
# `make server-image` builds the same server FROM scratch (deploy/image/Dockerfile); both
# take the subcommand as their arguments, as the Helm chart gives it.
FROM golang:1.26-bookworm AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
WORKDIR /src
COPY go.mod go.sum package.json package-lock.json ./
RUN go mod download && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
COPY . .
RUN make assets generate \
 && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/cloudoven ./cmd/cloudoven \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cloudoven /cloudoven
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV CLOUDOVEN_ADDR=0.0.0.0:8080 CLOUDOVEN_DATA_DIR=/data
EXPOSE 8080
ENTRYPOINT ["/cloudoven"]
CMD ["serve"]
