"""Shipped data (migrations, catalogues, fonts rules): installed as the package kiosk.data."""
