"""tousu: complaint handling for customer-service organisations."""

__version__ = "0.1.0"
