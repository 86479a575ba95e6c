# A slim image running fedi as an unprivileged user; all state lives in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FEDI_DATA_DIR=/data \
    FEDI_LISTEN_HOST=0.0.0.0 \
    FEDI_LISTEN_PORT=8000

RUN groupadd --system --gid 10001 fedi \
    && useradd --system --uid 10001 --gid fedi --home-dir /app --no-create-home fedi

WORKDIR /app
COPY pyproject.toml README.md ./
COPY fedi ./fedi
COPY inbox ./inbox
COPY outbox ./outbox
COPY keys ./keys
COPY templates ./templates
# Editable, so that the templates next to the package are found where they are. `fedi vendor`
# fetches the pinned htmx files (checked against their sha512) that the pages load.
RUN pip install -e . \
    && fedi vendor \
    && mkdir -p /data \
    && chown fedi:fedi /data \
    && chmod 0700 /data

USER fedi
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('FEDI_LISTEN_PORT', '8000'), timeout=4)"

ENTRYPOINT ["fedi"]
CMD ["serve"]
