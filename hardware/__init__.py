"""Adapters to the outside world: phone ring detectors and receipt printers, each real or simulated."""
