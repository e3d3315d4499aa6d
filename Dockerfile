# arxiv-digest: the in-process scheduler (`digest serve`) writing digests into a mounted git clone.
#
#   docker build -t arxiv-digest .
#   docker run -v "$PWD/digests:/data/output" -v digest-cache:/data/cache arxiv-digest
#
# Config: mount your file at /app/config/digest.yaml, or point DIGEST_CONFIG elsewhere;
# every setting can also be given as DIGEST_<NAME>. With podman, build with `--format docker`: the OCI
# format has no HEALTHCHECK and podman drops it.

# The wheel is built in a stage of its own: the image gets the installed package and nothing of its build
# (no /app/build, no *.egg-info, no sources).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY digest ./digest
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DIGEST_CONFIG=/app/config/digest.yaml \
    DIGEST_OUTPUT_DIR=/data/output \
    DIGEST_CACHE_DIR=/data/cache \
    DIGEST_LOG_FORMAT=json

# git to commit and push; openssh-client for ssh remotes (deploy keys). Unpinned: Debian's security updates.
# The mounted clone is usually owned by a host user, so git must not refuse it as "dubious ownership".
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git openssh-client \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*'

RUN useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin digest \
    && mkdir -p /data/output /data/cache /app/config \
    && chown digest:digest /data/output /data/cache

WORKDIR /app
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels pip install --no-cache-dir /wheels/*.whl
COPY config/digest.yaml /app/config/digest.yaml

USER 10001:10001
# Unhealthy when the latest digest the schedule should have written is missing (`digest status --check`).
HEALTHCHECK --interval=1h --timeout=60s --start-period=10m CMD ["digest", "-q", "status", "--check"]
VOLUME ["/data/output", "/data/cache"]
ENTRYPOINT ["digest"]
CMD ["serve"]
