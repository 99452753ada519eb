#!/bin/sh
# The image's HEALTHCHECK: GET /health/live (liveness: a Redis outage must not get the container restarted) on the address
# the hub listens on. That is the first URL of ASPNETCORE_URLS, a wildcard host (+, *, 0.0.0.0, [::]) asked on 127.0.0.1;
# without ASPNETCORE_URLS, the first port of ASPNETCORE_HTTP_PORTS; else the hub's default, 8090.
set -eu

url="${ASPNETCORE_URLS:-}"
url="${url%%;*}"
if [ -z "$url" ]; then
  port="${ASPNETCORE_HTTP_PORTS:-8090}"
  url="http://127.0.0.1:${port%%[;,]*}"
fi

url="$(printf '%s' "$url" | sed -E 's#^(https?)://(\+|\*|0\.0\.0\.0|\[::\])(:|/|$)#\1://127.0.0.1\3#')"
exec curl --fail --silent --show-error --insecure --max-time 2 --output /dev/null "${url%/}/health/live"
