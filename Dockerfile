FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY worker ./worker
COPY integrations ./integrations
COPY rules ./rules
RUN pip install --no-cache-dir .
ENV RULES_DIR=/app/rules
USER nobody
