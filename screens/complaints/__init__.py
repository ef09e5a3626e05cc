"""The complaints and service requests section."""
