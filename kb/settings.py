"""The one place that reads configuration: ``KYODO_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

LANGUAGES = ("ja", "en", "id", "th")
DEFAULT_EMBED_MODEL = "embeddinggemma-300m"


@dataclass(frozen=True)
class Settings:
    """Paths, model names and retrieval knobs; CLI options override fields with ``replace``."""

    home: Path = Path("data")
    corpus: Path = Path("corpus")
    embed_model: str = DEFAULT_EMBED_MODEL
    chroma_url: str | None = None
    top_k: int = 5
    abstain_below: float = 0.3
    languages: tuple[str, ...] = field(default=LANGUAGES)

    @classmethod
    def from_env(cls, env: os._Environ[str] | dict[str, str] | None = None) -> "Settings":
        """Build settings from ``KYODO_HOME``, ``KYODO_CORPUS``, ``KYODO_EMBED_MODEL``, ``KYODO_CHROMA_URL``."""
        env = os.environ if env is None else env
        base = cls()
        return replace(
            base,
            home=Path(env.get("KYODO_HOME", str(base.home))),
            corpus=Path(env.get("KYODO_CORPUS", str(base.corpus))),
            embed_model=env.get("KYODO_EMBED_MODEL", base.embed_model),
            chroma_url=env.get("KYODO_CHROMA_URL") or None,
        )

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def embed_model_path(self) -> Path | str:
        """The bundled model's folder, or whatever path or hub id ``KYODO_EMBED_MODEL`` names."""
        if self.embed_model == DEFAULT_EMBED_MODEL:
            return self.models_dir / DEFAULT_EMBED_MODEL
        return Path(self.embed_model) if Path(self.embed_model).exists() else self.embed_model
