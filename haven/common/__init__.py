"""Small helpers shared by every app; this package imports no Haven app."""
