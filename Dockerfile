# driftcheck's own image.
#
#   docker build -t driftcheck .
#   docker run --rm driftcheck --version
#
# Snapshot sibling containers and images through the engine's socket; the image
# runs as a non-root user, which needs the socket's group to talk to the engine:
#
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock \
#       --group-add "$(stat -c %g /var/run/docker.sock)" \
#       driftcheck snapshot --container web -o -
#
# Build arguments:
#   BASE        the image both stages start from (default: the official slim Python).
#               Any image with python3 (3.10 or newer) and its venv module works, such as
#               Debian's python3 + python3-venv: driftcheck always lives in its own virtual
#               environment at /opt/driftcheck, made with the base's python3.
#   WHEELHOUSE  a folder of wheels inside the build context (for example `wheelhouse`):
#               when set, every install reads only from it (no index), for offline builds.
#               Fill it on a connected machine with `pip download` or `pip wheel`; it must
#               hold driftcheck's dependencies and its build backend (setuptools).
#   VERSION, REVISION   recorded in the org.opencontainers.image labels.
#
# The build uses only the classic builder's features (no BuildKit mounts), so it works on
# every engine.

ARG BASE=python:3.12-slim

# ---------------------------------------------------------------- build: wheel, then venv
FROM ${BASE} AS build
ARG WHEELHOUSE=""
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
COPY . /src
WORKDIR /src
# A wheel built from the source tree, installed (not linked) into a fresh virtual
# environment; the runtime stage copies that environment alone, leaving the sources,
# the wheelhouse and any build tools behind.
RUN set -eu; \
    if [ -n "$WHEELHOUSE" ]; then \
        if [ ! -d "/src/$WHEELHOUSE" ]; then \
            echo "WHEELHOUSE=$WHEELHOUSE is not a folder in the build context" >&2; exit 2; \
        fi; \
        export PIP_NO_INDEX=1 PIP_FIND_LINKS="/src/$WHEELHOUSE"; \
    fi; \
    python3 -m venv /opt/driftcheck; \
    /opt/driftcheck/bin/python -m pip wheel --quiet --no-deps --wheel-dir /tmp/dist .; \
    /opt/driftcheck/bin/python -m pip install --quiet /tmp/dist/driftcheck-*.whl; \
    /opt/driftcheck/bin/driftcheck --version

# ---------------------------------------------------------------- runtime
FROM ${BASE}
ARG BASE
ARG VERSION=0.1.0
ARG REVISION=""
LABEL org.opencontainers.image.title="driftcheck" \
      org.opencontainers.image.description="Capture what a Python program really runs on, and explain the drift between two environments." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${BASE}"
# A fixed, numeric, non-root user, so that runtimes can check it is not root.
RUN set -eu; \
    if command -v useradd >/dev/null 2>&1; then \
        useradd --uid 10001 --user-group --create-home --home-dir /home/driftcheck \
            --shell /usr/sbin/nologin driftcheck; \
    else \
        adduser -D -u 10001 -h /home/driftcheck -s /sbin/nologin driftcheck; \
    fi; \
    mkdir -p /work; \
    chown driftcheck:driftcheck /work
COPY --from=build /opt/driftcheck /opt/driftcheck
# On PATH through a link, not by putting the venv's bin first: `python3` on PATH stays
# the base's interpreter, which is what `driftcheck snapshot` in this image looks at.
RUN ln -s /opt/driftcheck/bin/driftcheck /usr/local/bin/driftcheck
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["driftcheck"]
CMD ["--help"]
