# Build the wheel from the source, then install only the wheel: the image holds what a user
# who installs the package gets (templates, examples and migrations ship inside it).
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps -w /dist .

FROM python:3.11-slim
COPY --from=build /dist /dist
RUN pip install --no-cache-dir "$(ls /dist/*.whl)[postgres]" && rm -rf /dist
WORKDIR /app
COPY config ./config
RUN mkdir -p /app/outreach-data && chown nobody /app/outreach-data && chmod 700 /app/outreach-data
USER nobody
ENTRYPOINT ["outreach"]
