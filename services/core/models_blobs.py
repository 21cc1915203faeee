"""Tables of the PostgreSQL blob backend (services/core/blobs.py): a blob is a header row plus its
content in chunks of at most 1 MiB. The header is written last, in the same transaction as the
chunks, so a blob whose header exists is complete."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, utcnow


class BlobObject(Base):
    __tablename__ = "blob_objects"

    # An original: its sha256. A derived file: "<sha256>.<suffix>" (e.g. ".searchable.pdf").
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    chunks: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BlobChunk(Base):
    __tablename__ = "blob_chunks"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
