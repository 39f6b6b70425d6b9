"""The one place that reads configuration: ``KYODO_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from kb.errors import InputError

LANGUAGES = ("ja", "en", "id", "th")
DEFAULT_EMBED_MODEL = "embeddinggemma-300m"
DEFAULT_LLM_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
LLM_MODES = ("off", "local", "openai")


@dataclass(frozen=True)
class Settings:
    """Paths, model names and retrieval knobs; CLI options override fields with ``replace``."""

    home: Path = Path("data")
    corpus: Path = Path("corpus")
    embed_model: str = DEFAULT_EMBED_MODEL
    chroma_url: str | None = None
    top_k: int = 5
    # Calibrated by `kyodo eval` on evals/gold.yaml (268 in-scope, 52 out-of-scope cases, kyodo-hybrid top cosine):
    # 0.42 is the best abstention F1 (0.60: precision 0.81, recall 0.48) among thresholds that answer >= 97.5% of
    # in-scope questions (it answers 97.8%). Similarity alone cannot tell near-topic questions (Bago's building
    # cost, a project in Kenya) from in-scope ones: out-of-scope median 0.44, max 0.60; in-scope p5 0.47.
    abstain_below: float = 0.42
    languages: tuple[str, ...] = field(default=LANGUAGES)
    # Generative answers (kb/generative.py): "off" keeps the extractive answer, which the eval numbers favour.
    llm: str = "off"
    llm_url: str | None = None
    llm_model: str = ""  # local: a GGUF path (empty: the bundled Qwen); openai: the served model's name
    llm_api_key_env: str = ""
    llm_api_key: str | None = field(default=None, repr=False)
    # Maintainer logins (kb/auth.py): writes from the web page need one; asking never does.
    admin_password: str | None = field(default=None, repr=False)
    users_file: Path | None = None

    @classmethod
    def from_env(cls, env: os._Environ[str] | dict[str, str] | None = None) -> "Settings":
        """Build settings from ``KYODO_HOME``, ``KYODO_CORPUS``, ``KYODO_EMBED_MODEL``, ``KYODO_CHROMA_URL``,
        and ``KYODO_LLM`` (off|local|openai), ``KYODO_LLM_URL``, ``KYODO_LLM_MODEL``, ``KYODO_LLM_API_KEY_ENV``
        (the name of the variable that holds the endpoint's key; the key itself is read from there),
        and ``KYODO_ADMIN_PASSWORD`` / ``KYODO_USERS_FILE`` (maintainer logins)."""
        env = os.environ if env is None else env
        base = cls()
        llm = env.get("KYODO_LLM", base.llm).strip().lower() or base.llm
        if llm not in LLM_MODES:
            raise InputError(f"KYODO_LLM={llm!r} is not one of {', '.join(LLM_MODES)} (unset it for extractive answers)")
        key_env = env.get("KYODO_LLM_API_KEY_ENV", base.llm_api_key_env)
        return replace(
            base,
            home=Path(env.get("KYODO_HOME", str(base.home))),
            corpus=Path(env.get("KYODO_CORPUS", str(base.corpus))),
            embed_model=env.get("KYODO_EMBED_MODEL", base.embed_model),
            chroma_url=env.get("KYODO_CHROMA_URL") or None,
            llm=llm,
            llm_url=env.get("KYODO_LLM_URL") or None,
            llm_model=env.get("KYODO_LLM_MODEL", base.llm_model),
            llm_api_key_env=key_env,
            llm_api_key=env.get(key_env) if key_env else None,
            admin_password=env.get("KYODO_ADMIN_PASSWORD") or None,
            users_file=Path(env["KYODO_USERS_FILE"]) if env.get("KYODO_USERS_FILE") else None,
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

    @property
    def users_path(self) -> Path:
        """Maintainers' hashed passwords (``kyodo users add``): ``KYODO_USERS_FILE`` or ``$KYODO_HOME/users.txt``."""
        return self.users_file or self.home / "users.txt"

    @property
    def llm_model_path(self) -> Path:
        """The local GGUF: the bundled Qwen2.5-Coder-1.5B, or the file ``KYODO_LLM_MODEL`` names."""
        return Path(self.llm_model) if self.llm_model else self.models_dir / DEFAULT_LLM_MODEL
