"""Ring detectors (AT modem, RI pin, line protocol), their runtime and a pty simulator."""
