# One image for every role in docker-compose.yml (api, ocr worker, default worker, beat, watcher).
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-swe tesseract-ocr-eng tesseract-ocr-osd \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY services ./services
COPY workers ./workers
RUN pip install --no-cache-dir .
ENV OMP_THREAD_LIMIT=1 POSTHANTERING_DATA_DIR=/data PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8000
CMD ["posthantering", "serve", "--host", "0.0.0.0"]
