"""Staff Survey Explorer: NHS Staff Survey results on trust, bullying and morale, offline."""

__version__ = "0.1.0"

APP_NAME = "Staff Survey Explorer"
