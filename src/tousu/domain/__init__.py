"""The pure domain core: rules, state machine and codes. No I/O, no framework imports."""
