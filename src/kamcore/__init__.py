"""kamcore: an event-sourced key-account-management backend for insurance sales."""

__version__ = "0.1.0"
