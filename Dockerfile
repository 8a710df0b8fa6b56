FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY outreach ./outreach
COPY worker ./worker
COPY templates ./templates
COPY config ./config
RUN pip install --no-cache-dir '.[postgres]'
RUN mkdir -p /app/outreach-data && chown nobody /app/outreach-data
USER nobody
ENTRYPOINT ["outreach"]
