# Warmline in one image: the SPA is built first and embedded in the Go binary.
#
#   docker build -t warmline .
#   docker-compose up        # with Postgres; see docker-compose.yml

# ---- 1. the SPA (frontend/dist)
FROM node:20-bookworm AS frontend
WORKDIR /src/frontend
# Dependencies first, so a source change does not reinstall them.
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# ---- 2. the binary, with the SPA embedded
FROM golang:1.26-bookworm AS backend
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=frontend /src/frontend/dist ./frontend/dist
# Static binary: the runtime image has no C library. There is no .git in the
# build context: pass the version with --build-arg VERSION=$(git describe).
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/warmline ./cmd/warmline

# ---- 3. runtime: no shell, no package manager, CA certificates and tzdata,
# runs as the unprivileged user `nonroot` (uid 65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=backend /out/warmline /usr/local/bin/warmline
USER nonroot:nonroot
# Inside a container the server must listen on all interfaces to be
# reachable through the published port.
ENV WARMLINE_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/warmline"]
CMD ["serve"]
