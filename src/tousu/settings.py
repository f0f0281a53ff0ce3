"""Runtime settings from the environment (TOUSU_*), created by the app factory or the CLI."""

from __future__ import annotations

from functools import cached_property
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

import yaml
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tousu.analysis import BUNDLED_MODEL  # analysis uses it unless configured otherwise
from tousu.domain.policy import Policy
from tousu.knowledge import load_knowledge_base
from tousu.yaml_files import load_yaml

DEFAULT_SQLITE = "sqlite:///var/tousu.db"
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "please-change"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOUSU_", extra="ignore")

    database_url: str = DEFAULT_SQLITE
    policy_file: Path | None = Field(None, description="YAML overriding the default policy")
    secret_key: SecretStr | None = Field(None, description="signs web sessions; generated in var/ when unset")
    secret_key_file: Path | None = None
    session_hours: float = Field(8, gt=0)
    max_body_bytes: int = Field(256 * 1024, gt=0)
    https: bool = Field(False, description="served over https only: HSTS and Secure cookies on every answer")
    scheduler_interval_seconds: float = Field(60, ge=0, description="0 disables the SLA scheduler")
    login_max_failures: int = Field(5, ge=1, description="failed logins of one account before it is blocked")
    login_max_failures_per_address: int = Field(20, ge=1, description="failed logins from one address before it is")
    login_block_minutes: float = Field(15, gt=0, description="how long failures count, and a block lasts")
    trusted_proxies: str = Field(
        "", description="comma-separated proxy addresses or networks whose X-Forwarded-For is believed"
    )
    # Notifications (services/outbox.py): the SMTP server, the dispatcher, the daily digest.
    smtp_host: str = Field("", description="SMTP server for notification e-mails; empty: no e-mail is sent")
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = Field("tousu@localhost", description="the From address of notification e-mails")
    smtp_starttls: bool = False
    outbox_interval_seconds: float = Field(5, ge=0, description="0: no dispatcher thread (run `tousu outbox send`)")
    outbox_max_attempts: int = Field(8, ge=1, le=100, description="sends tried before a message is marked failed")
    outbox_retry_seconds: float = Field(30, gt=0, description="the first retry's delay; doubled on each failure")
    digest_hour: int = Field(8, ge=0, le=23, description="hour (Asia/Shanghai) the daily digest e-mails go out")
    public_url: str = Field("", description="the address staff open, for links in e-mails and webhooks")
    model_path: Path | None = Field(
        BUNDLED_MODEL, description="trained analyzer model (default: the bundled one); `none` for the rules alone"
    )

    @field_validator("model_path", mode="before")
    @classmethod
    def _rules_only(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip().lower() in {"", "none"} else value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        _parse_networks(value)  # refuse a typo at start-up rather than ignore the proxy
        return value

    @cached_property
    def trusted_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return _parse_networks(self.trusted_proxies)

    @field_validator("secret_key")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("TOUSU_SECRET_KEY is a placeholder: set a long random value")
        return value

    @cached_property
    def policy(self) -> Policy:
        return load_policy(self.policy_file)

    def resolved_secret(self) -> str:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.secret_key_file is not None:
            return self.secret_key_file.read_text(encoding="utf-8").strip()
        generated = Path("var/secret_key")
        if not generated.exists():
            import secrets

            generated.parent.mkdir(parents=True, exist_ok=True)
            generated.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            generated.chmod(0o600)
        return generated.read_text(encoding="utf-8").strip()


def _parse_networks(text: str) -> tuple[IPv4Network | IPv6Network, ...]:
    networks = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"TOUSU_TRUSTED_PROXIES: {item!r} is not an IP address or network") from None
    return tuple(networks)


class PolicyFileError(ValueError):
    pass


def load_policy(path: Path | None) -> Policy:
    """The default policy, overridden section by section by the YAML file when given."""
    if path is None:
        return Policy()
    try:
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
        policy = Policy.model_validate(raw)
    except FileNotFoundError:
        raise PolicyFileError(f"{path}: policy file not found") from None
    except (yaml.YAMLError, ValidationError) as exc:
        raise PolicyFileError(f"{path}: invalid policy: {exc}") from None
    industries = load_knowledge_base().industry_names
    if policy.industry not in industries:
        known = ", ".join(f"{code} ({name})" for code, name in industries.items())
        raise PolicyFileError(f"{path}: invalid policy: industry {policy.industry!r} is none of {known}")
    return policy
